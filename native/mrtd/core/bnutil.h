// RAII holders for OpenSSL big numbers and EC objects, shared by ec.cc and bn.cc.
#pragma once
#include <openssl/bn.h>
#include <openssl/ec.h>

#include <memory>

#include "bytes.h"

namespace mrtd {

struct BnFree {
  void operator()(BIGNUM* b) const { BN_clear_free(b); }
  void operator()(BN_CTX* c) const { BN_CTX_free(c); }
  void operator()(EC_GROUP* g) const { EC_GROUP_free(g); }
  void operator()(EC_POINT* p) const { EC_POINT_clear_free(p); }
};
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;
using BnCtxPtr = std::unique_ptr<BN_CTX, BnFree>;
using GroupPtr = std::unique_ptr<EC_GROUP, BnFree>;
using PointPtr = std::unique_ptr<EC_POINT, BnFree>;

inline BnPtr ToBn(const Bytes& b) {
  return BnPtr(BN_bin2bn(b.empty() ? nullptr : b.data(), static_cast<int>(b.size()), nullptr));
}

// Big-endian, left-padded to `len` bytes (len >= BN_num_bytes).
inline bool FromBn(const BIGNUM* v, size_t len, Bytes* out) {
  out->assign(len, 0);
  return BN_bn2binpad(v, out->data(), static_cast<int>(len)) == static_cast<int>(len);
}

// Upper bound on operand sizes: 8192-bit moduli (ICAO keys stop far below). Keeps a hostile
// input from asking for unbounded work.
constexpr size_t kMaxOperandBytes = 1024;

}  // namespace mrtd
