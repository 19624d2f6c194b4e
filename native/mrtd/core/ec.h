// Elliptic-curve arithmetic over prime fields with explicit domain parameters, for what ICAO
// 9303-11 needs beyond plain ECDH: PACE generic mapping (G~ = s*G + H), the integrated
// mapping's point encoding, chip authentication, and ECDSA with keys whose certificates carry
// explicit parameters. Points travel as uncompressed octet strings (04 || X || Y).
#pragma once
#include "bytes.h"

namespace mrtd {

// Big-endian unsigned integers, as in the ECParameters of a certificate or of TR-03111.
struct Curve {
  Bytes p, a, b, gx, gy, n, h;
};

// r = k * P, or k * G when `point` is empty. Fails on an invalid point or an infinite result.
Status EcMul(const Curve& c, const Bytes& k, const Bytes& point, Bytes* out);
// r = P + Q. Fails on invalid points or an infinite result.
Status EcAdd(const Curve& c, const Bytes& p, const Bytes& q, Bytes* out);
// True when `point` decodes, lies on the curve, is not infinity and (cofactor > 1) has order n.
Status EcCheckPoint(const Curve& c, const Bytes& point, bool* valid);
// ICAO 9303-11 §4.4.3.3.2 point encoding f_G for the integrated mapping (p ≡ 3 mod 4):
// the simplified SWU encoding of Brier et al., multiplied by the cofactor.
Status EcMapIntegrated(const Curve& c, const Bytes& t, Bytes* out);
// ECDSA (ANSI X9.62 / TR-03111 §4.2.1) over a digest computed by the caller.
Status EcdsaVerify(const Curve& c, const Bytes& point, const Bytes& digest, const Bytes& r, const Bytes& s, bool* valid);
Status EcdsaSign(const Curve& c, const Bytes& d, const Bytes& digest, Bytes* r, Bytes* s);

}  // namespace mrtd
