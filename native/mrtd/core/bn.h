// Modular arithmetic on big-endian unsigned integers: DH for PACE and chip authentication,
// the RSA public operation for Active Authentication.
#pragma once
#include "bytes.h"

namespace mrtd {

// base^exp mod m. `secret_exponent` selects OpenSSL's constant-time exponentiation.
// Output has the byte length of m.
Status ModExp(const Bytes& base, const Bytes& exp, const Bytes& m, bool secret_exponent, Bytes* out);
// a*b mod m, output with the byte length of m.
Status ModMul(const Bytes& a, const Bytes& b, const Bytes& m, Bytes* out);

}  // namespace mrtd
