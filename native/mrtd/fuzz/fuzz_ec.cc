// libFuzzer target: hostile points, scalars and curve parameters for the EC core. The first
// byte picks the operation; the rest is split by length prefixes. Any outcome but a crash,
// a sanitizer report or an accepted point that is off the curve is fine.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "../core/ec.h"

namespace {

// brainpoolP256r1 (RFC 5639 §3.4).
mrtd::Bytes H(const char* hex) {
  mrtd::Bytes out;
  for (size_t i = 0; hex[i] && hex[i + 1]; i += 2) {
    auto v = [](char c) { return static_cast<uint8_t>(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10); };
    out.push_back(static_cast<uint8_t>(v(hex[i]) << 4 | v(hex[i + 1])));
  }
  return out;
}

const mrtd::Curve& Bp256() {
  static const mrtd::Curve c{
      H("A9FB57DBA1EEA9BC3E660A909D838D726E3BF623D52620282013481D1F6E5377"),
      H("7D5A0975FC2C3057EEF67530417AFFE7FB8055C126DC5C6CE94A4B44F330B5D9"),
      H("26DC5C6CE94A4B44F330B5D9BBD77CBF958416295CF7E1CE6BCCDC18FF8C07B6"),
      H("8BD2AEB9CB7E57CB2C4B482FFC81B7AFB9DE27E1E3BD23C23A4453BD9ACE3262"),
      H("547EF835C3DAC4FD97F8461A14611DC9C27745132DED8E545C1D54C72F046997"),
      H("A9FB57DBA1EEA9BC3E660A909D838D718C397AA3B561A6F7901E0E82974856A7"),
      H("01")};
  return c;
}

// Takes a length-prefixed chunk (1 byte length) from the input.
mrtd::Bytes Take(const uint8_t*& p, size_t& n) {
  if (n == 0) return {};
  size_t len = *p++;
  n--;
  if (len > n) len = n;
  mrtd::Bytes out(p, p + len);
  p += len;
  n -= len;
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t op = data[0] % 4;
  const uint8_t* p = data + 1;
  size_t n = size - 1;
  mrtd::Bytes out;
  bool valid = false;
  switch (op) {
    case 0: {  // a hostile point on a good curve
      mrtd::Bytes pt = Take(p, n);
      if (mrtd::EcCheckPoint(Bp256(), pt, &valid).ok() && valid) {
        if (!mrtd::EcMul(Bp256(), mrtd::Bytes{2}, pt, &out).ok() && !out.empty()) abort();
      }
      break;
    }
    case 1: {  // a hostile scalar
      mrtd::EcMul(Bp256(), Take(p, n), {}, &out);
      break;
    }
    case 2: {  // a hostile field element for the integrated mapping
      if (mrtd::EcMapIntegrated(Bp256(), Take(p, n), &out).ok()) {
        if (!mrtd::EcCheckPoint(Bp256(), out, &valid).ok() || !valid) abort();
      }
      break;
    }
    default: {  // hostile curve parameters (as from a certificate's explicit ECParameters)
      mrtd::Curve c;
      for (mrtd::Bytes* f : {&c.p, &c.a, &c.b, &c.gx, &c.gy, &c.n, &c.h}) *f = Take(p, n);
      mrtd::EcCheckPoint(c, Take(p, n), &valid);
      mrtd::Bytes r, s;
      mrtd::EcdsaVerify(c, Take(p, n), mrtd::Bytes(32, 1), mrtd::Bytes{1}, mrtd::Bytes{1}, &valid);
      break;
    }
  }
  return 0;
}
