#include "bn.h"

#include "bnutil.h"

namespace mrtd {

Status ModExp(const Bytes& base, const Bytes& exp, const Bytes& m, bool secret_exponent, Bytes* out) {
  if (m.empty() || base.size() > kMaxOperandBytes || exp.size() > kMaxOperandBytes || m.size() > kMaxOperandBytes) {
    return Status::Fail("ERR_MRTD_OPERAND_SIZE", "operand empty or larger than 8192 bits");
  }
  BnCtxPtr ctx(BN_CTX_new());
  BnPtr b = ToBn(base), e = ToBn(exp), mod = ToBn(m), r(BN_new());
  if (!ctx || !b || !e || !mod || !r) return Status::Fail("ERR_OPENSSL", "allocation");
  if (BN_is_zero(mod.get())) return Status::Fail("ERR_MRTD_MODULUS", "modulus is zero");
  int ok;
  if (secret_exponent) {
    if (!BN_is_odd(mod.get())) return Status::Fail("ERR_MRTD_MODULUS", "constant-time exponentiation needs an odd modulus");
    BN_set_flags(e.get(), BN_FLG_CONSTTIME);
    ok = BN_mod_exp_mont_consttime(r.get(), b.get(), e.get(), mod.get(), ctx.get(), nullptr);
  } else {
    ok = BN_mod_exp(r.get(), b.get(), e.get(), mod.get(), ctx.get());
  }
  if (ok != 1 || !FromBn(r.get(), static_cast<size_t>(BN_num_bytes(mod.get())), out)) {
    return Status::Fail("ERR_OPENSSL", "modular exponentiation failed");
  }
  return Status::Ok();
}

Status ModMul(const Bytes& a, const Bytes& b, const Bytes& m, Bytes* out) {
  if (m.empty() || a.size() > kMaxOperandBytes || b.size() > kMaxOperandBytes || m.size() > kMaxOperandBytes) {
    return Status::Fail("ERR_MRTD_OPERAND_SIZE", "operand empty or larger than 8192 bits");
  }
  BnCtxPtr ctx(BN_CTX_new());
  BnPtr x = ToBn(a), y = ToBn(b), mod = ToBn(m), r(BN_new());
  if (!ctx || !x || !y || !mod || !r) return Status::Fail("ERR_OPENSSL", "allocation");
  if (BN_is_zero(mod.get())) return Status::Fail("ERR_MRTD_MODULUS", "modulus is zero");
  if (BN_mod_mul(r.get(), x.get(), y.get(), mod.get(), ctx.get()) != 1 ||
      !FromBn(r.get(), static_cast<size_t>(BN_num_bytes(mod.get())), out)) {
    return Status::Fail("ERR_OPENSSL", "modular multiplication failed");
  }
  return Status::Ok();
}

}  // namespace mrtd
