#include "ec.h"

#include <openssl/bn.h>
#include <openssl/ec.h>

#include "bnutil.h"

namespace mrtd {
namespace {

// Field sizes up to 521 bits (NIST P-521, brainpoolP512r1); 128 bytes leaves headroom while
// bounding the work a hostile certificate can ask for.
constexpr size_t kMaxFieldBytes = 128;

struct Group {
  BnCtxPtr ctx;
  GroupPtr group;
  BnPtr p, a, b, n, h;
  size_t field_len = 0;
};

Status MakeGroup(const Curve& c, Group* g) {
  for (const Bytes* v : {&c.p, &c.a, &c.b, &c.gx, &c.gy, &c.n, &c.h}) {
    if (v->empty() || v->size() > kMaxFieldBytes) return Status::Fail("ERR_MRTD_CURVE", "curve parameter empty or too large");
  }
  g->ctx.reset(BN_CTX_new());
  g->p = ToBn(c.p);
  g->a = ToBn(c.a);
  g->b = ToBn(c.b);
  g->n = ToBn(c.n);
  g->h = ToBn(c.h);
  BnPtr gx = ToBn(c.gx), gy = ToBn(c.gy);
  if (!g->ctx || !g->p || !g->a || !g->b || !g->n || !g->h || !gx || !gy) return Status::Fail("ERR_OPENSSL", "allocation");
  if (!BN_is_odd(g->p.get()) || BN_num_bits(g->p.get()) < 16 || BN_is_zero(g->n.get()) || BN_is_zero(g->h.get()) ||
      BN_cmp(g->a.get(), g->p.get()) >= 0 || BN_cmp(g->b.get(), g->p.get()) >= 0) {
    return Status::Fail("ERR_MRTD_CURVE", "curve parameters out of range");
  }
  g->group.reset(EC_GROUP_new_curve_GFp(g->p.get(), g->a.get(), g->b.get(), g->ctx.get()));
  if (!g->group) return Status::Fail("ERR_MRTD_CURVE", "not a valid prime-field curve");
  PointPtr gen(EC_POINT_new(g->group.get()));
  if (!gen || EC_POINT_set_affine_coordinates(g->group.get(), gen.get(), gx.get(), gy.get(), g->ctx.get()) != 1 ||
      EC_POINT_is_on_curve(g->group.get(), gen.get(), g->ctx.get()) != 1 ||
      EC_GROUP_set_generator(g->group.get(), gen.get(), g->n.get(), g->h.get()) != 1) {
    return Status::Fail("ERR_MRTD_CURVE", "generator not on the curve");
  }
  g->field_len = static_cast<size_t>(BN_num_bytes(g->p.get()));
  return Status::Ok();
}

Status Decode(const Group& g, const Bytes& octets, PointPtr* out) {
  if (octets.empty() || octets.size() > 2 * kMaxFieldBytes + 1) return Status::Fail("ERR_MRTD_INVALID_POINT", "point encoding length");
  out->reset(EC_POINT_new(g.group.get()));
  if (!*out || EC_POINT_oct2point(g.group.get(), out->get(), octets.data(), octets.size(), g.ctx.get()) != 1) {
    return Status::Fail("ERR_MRTD_INVALID_POINT", "point does not decode");
  }
  if (EC_POINT_is_at_infinity(g.group.get(), out->get()) || EC_POINT_is_on_curve(g.group.get(), out->get(), g.ctx.get()) != 1) {
    return Status::Fail("ERR_MRTD_INVALID_POINT", "point not on the curve");
  }
  return Status::Ok();
}

Status Encode(const Group& g, const EC_POINT* pt, Bytes* out) {
  if (EC_POINT_is_at_infinity(g.group.get(), pt)) return Status::Fail("ERR_MRTD_INFINITY", "result is the point at infinity");
  out->assign(2 * g.field_len + 1, 0);
  size_t n = EC_POINT_point2oct(g.group.get(), pt, POINT_CONVERSION_UNCOMPRESSED, out->data(), out->size(), g.ctx.get());
  if (n != out->size()) return Status::Fail("ERR_OPENSSL", "point encoding failed");
  return Status::Ok();
}

}  // namespace

Status EcMul(const Curve& c, const Bytes& k, const Bytes& point, Bytes* out) {
  Group g;
  Status s = MakeGroup(c, &g);
  if (!s.ok()) return s;
  if (k.empty() || k.size() > kMaxFieldBytes) return Status::Fail("ERR_MRTD_SCALAR", "scalar empty or too large");
  BnPtr scalar = ToBn(k);
  PointPtr r(EC_POINT_new(g.group.get()));
  if (!scalar || !r) return Status::Fail("ERR_OPENSSL", "allocation");
  BN_set_flags(scalar.get(), BN_FLG_CONSTTIME);
  int ok;
  if (point.empty()) {
    ok = EC_POINT_mul(g.group.get(), r.get(), scalar.get(), nullptr, nullptr, g.ctx.get());
  } else {
    PointPtr q;
    s = Decode(g, point, &q);
    if (!s.ok()) return s;
    ok = EC_POINT_mul(g.group.get(), r.get(), nullptr, q.get(), scalar.get(), g.ctx.get());
  }
  if (ok != 1) return Status::Fail("ERR_OPENSSL", "point multiplication failed");
  return Encode(g, r.get(), out);
}

Status EcAdd(const Curve& c, const Bytes& p, const Bytes& q, Bytes* out) {
  Group g;
  Status s = MakeGroup(c, &g);
  if (!s.ok()) return s;
  PointPtr a, b;
  if (!(s = Decode(g, p, &a)).ok() || !(s = Decode(g, q, &b)).ok()) return s;
  PointPtr r(EC_POINT_new(g.group.get()));
  if (!r || EC_POINT_add(g.group.get(), r.get(), a.get(), b.get(), g.ctx.get()) != 1) {
    return Status::Fail("ERR_OPENSSL", "point addition failed");
  }
  return Encode(g, r.get(), out);
}

Status EcCheckPoint(const Curve& c, const Bytes& point, bool* valid) {
  Group g;
  Status s = MakeGroup(c, &g);
  if (!s.ok()) return s;
  PointPtr q;
  *valid = false;
  if (!Decode(g, point, &q).ok()) return Status::Ok();
  if (!BN_is_one(g.h.get())) {
    // With a cofactor, a point on the curve may lie outside the prime-order subgroup.
    PointPtr t(EC_POINT_new(g.group.get()));
    if (!t || EC_POINT_mul(g.group.get(), t.get(), nullptr, q.get(), g.n.get(), g.ctx.get()) != 1) {
      return Status::Fail("ERR_OPENSSL", "subgroup check failed");
    }
    if (!EC_POINT_is_at_infinity(g.group.get(), t.get())) return Status::Ok();
  }
  *valid = true;
  return Status::Ok();
}

Status EcMapIntegrated(const Curve& c, const Bytes& t_bytes, Bytes* out) {
  Group g;
  Status s = MakeGroup(c, &g);
  if (!s.ok()) return s;
  BN_CTX* ctx = g.ctx.get();
  const BIGNUM* p = g.p.get();
  // The encoding needs a square root by exponentiation, which works when p ≡ 3 (mod 4);
  // every standardized PACE curve satisfies this.
  if (BN_mod_word(p, 4) != 3) return Status::Fail("ERR_MRTD_UNSUPPORTED", "integrated mapping needs p = 3 mod 4");
  if (BN_is_zero(g.a.get())) return Status::Fail("ERR_MRTD_UNSUPPORTED", "integrated mapping needs a != 0");
  if (t_bytes.empty() || t_bytes.size() > kMaxFieldBytes) return Status::Fail("ERR_MRTD_SCALAR", "field element size");
  BnPtr t = ToBn(t_bytes), alpha(BN_new()), x2(BN_new()), x3(BN_new()), h2(BN_new()), u(BN_new()), a_exp(BN_new()),
        tmp(BN_new()), tmp2(BN_new()), x(BN_new()), y(BN_new());
  if (!t || !alpha || !x2 || !x3 || !h2 || !u || !a_exp || !tmp || !tmp2 || !x || !y) {
    return Status::Fail("ERR_OPENSSL", "allocation");
  }
  const BIGNUM* a = g.a.get();
  const BIGNUM* b = g.b.get();
  bool ok = BN_nnmod(t.get(), t.get(), p, ctx) == 1;
  // 1. alpha = -t^2 mod p
  ok = ok && BN_mod_sqr(tmp.get(), t.get(), p, ctx) == 1 && BN_mod_sub(alpha.get(), BN_value_one(), BN_value_one(), p, ctx) == 1 &&
       BN_mod_sub(alpha.get(), alpha.get(), tmp.get(), p, ctx) == 1;
  // 2. X2 = -b * a^-1 * (1 + (alpha^2 + alpha)^-1) mod p
  ok = ok && BN_mod_sqr(tmp.get(), alpha.get(), p, ctx) == 1 && BN_mod_add(tmp.get(), tmp.get(), alpha.get(), p, ctx) == 1;
  if (!ok) return Status::Fail("ERR_OPENSSL", "field arithmetic failed");
  if (BN_is_zero(tmp.get())) return Status::Fail("ERR_MRTD_MAPPING", "mapping input has no image (alpha^2 + alpha = 0)");
  ok = BN_mod_inverse(tmp.get(), tmp.get(), p, ctx) != nullptr && BN_add_word(tmp.get(), 1) == 1 &&
       BN_nnmod(tmp.get(), tmp.get(), p, ctx) == 1 && BN_mod_inverse(tmp2.get(), a, p, ctx) != nullptr &&
       BN_mod_mul(tmp.get(), tmp.get(), tmp2.get(), p, ctx) == 1 && BN_mod_mul(tmp.get(), tmp.get(), b, p, ctx) == 1 &&
       BN_mod_sub(x2.get(), p, tmp.get(), p, ctx) == 1;
  // 3. X3 = alpha * X2
  ok = ok && BN_mod_mul(x3.get(), alpha.get(), x2.get(), p, ctx) == 1;
  // 4. h2 = X2^3 + a*X2 + b
  ok = ok && BN_mod_sqr(tmp.get(), x2.get(), p, ctx) == 1 && BN_mod_add(tmp.get(), tmp.get(), a, p, ctx) == 1 &&
       BN_mod_mul(tmp.get(), tmp.get(), x2.get(), p, ctx) == 1 && BN_mod_add(h2.get(), tmp.get(), b, p, ctx) == 1;
  // 5. U = t^3 * h2
  ok = ok && BN_mod_sqr(tmp.get(), t.get(), p, ctx) == 1 && BN_mod_mul(tmp.get(), tmp.get(), t.get(), p, ctx) == 1 &&
       BN_mod_mul(u.get(), tmp.get(), h2.get(), p, ctx) == 1;
  // 6. A = h2^(p - 1 - (p+1)/4) mod p
  ok = ok && BN_copy(tmp.get(), p) != nullptr && BN_add_word(tmp.get(), 1) == 1 && BN_rshift(tmp.get(), tmp.get(), 2) == 1 &&
       BN_sub(tmp2.get(), p, tmp.get()) == 1 && BN_sub_word(tmp2.get(), 1) == 1 &&
       BN_mod_exp(a_exp.get(), h2.get(), tmp2.get(), p, ctx) == 1;
  // 7. if A^2 * h2 = 1: (X2, A*h2) else (X3, A*U)
  ok = ok && BN_mod_sqr(tmp.get(), a_exp.get(), p, ctx) == 1 && BN_mod_mul(tmp.get(), tmp.get(), h2.get(), p, ctx) == 1;
  if (!ok) return Status::Fail("ERR_OPENSSL", "field arithmetic failed");
  if (BN_is_one(tmp.get())) {
    ok = BN_copy(x.get(), x2.get()) != nullptr && BN_mod_mul(y.get(), a_exp.get(), h2.get(), p, ctx) == 1;
  } else {
    ok = BN_copy(x.get(), x3.get()) != nullptr && BN_mod_mul(y.get(), a_exp.get(), u.get(), p, ctx) == 1;
  }
  PointPtr pt(EC_POINT_new(g.group.get()));
  if (!ok || !pt || EC_POINT_set_affine_coordinates(g.group.get(), pt.get(), x.get(), y.get(), ctx) != 1) {
    return Status::Fail("ERR_MRTD_MAPPING", "encoded point not on the curve");
  }
  // 8. multiply by the cofactor so the point lies in the prime-order subgroup.
  if (!BN_is_one(g.h.get()) && EC_POINT_mul(g.group.get(), pt.get(), nullptr, pt.get(), g.h.get(), ctx) != 1) {
    return Status::Fail("ERR_OPENSSL", "cofactor multiplication failed");
  }
  return Encode(g, pt.get(), out);
}

namespace {

// The digest as an integer, truncated to the bit length of n (X9.62 §7.4.1 / TR-03111 §4.2.1.1).
BnPtr DigestToInt(const Bytes& digest, const BIGNUM* n) {
  BnPtr e = ToBn(digest);
  int excess = static_cast<int>(digest.size()) * 8 - BN_num_bits(n);
  if (e && excess > 0 && BN_rshift(e.get(), e.get(), excess) != 1) e.reset();
  return e;
}

}  // namespace

Status EcdsaVerify(const Curve& c, const Bytes& point, const Bytes& digest, const Bytes& r_bytes, const Bytes& s_bytes,
                   bool* valid) {
  *valid = false;
  Group g;
  Status st = MakeGroup(c, &g);
  if (!st.ok()) return st;
  if (digest.empty() || digest.size() > 64) return Status::Fail("ERR_MRTD_DIGEST", "digest length");
  if (r_bytes.empty() || s_bytes.empty() || r_bytes.size() > kMaxFieldBytes || s_bytes.size() > kMaxFieldBytes) {
    return Status::Ok();  // a malformed signature simply does not verify
  }
  PointPtr q;
  st = Decode(g, point, &q);
  if (!st.ok()) return st;
  const BIGNUM* n = g.n.get();
  BnPtr r = ToBn(r_bytes), s = ToBn(s_bytes), e = DigestToInt(digest, n), w(BN_new()), u1(BN_new()), u2(BN_new()),
        v(BN_new()), x(BN_new());
  PointPtr rp(EC_POINT_new(g.group.get()));
  if (!r || !s || !e || !w || !u1 || !u2 || !v || !x || !rp) return Status::Fail("ERR_OPENSSL", "allocation");
  if (BN_is_zero(r.get()) || BN_is_zero(s.get()) || BN_cmp(r.get(), n) >= 0 || BN_cmp(s.get(), n) >= 0) return Status::Ok();
  BN_CTX* ctx = g.ctx.get();
  if (BN_mod_inverse(w.get(), s.get(), n, ctx) == nullptr || BN_mod_mul(u1.get(), e.get(), w.get(), n, ctx) != 1 ||
      BN_mod_mul(u2.get(), r.get(), w.get(), n, ctx) != 1 ||
      EC_POINT_mul(g.group.get(), rp.get(), u1.get(), q.get(), u2.get(), ctx) != 1) {
    return Status::Fail("ERR_OPENSSL", "verification arithmetic failed");
  }
  if (EC_POINT_is_at_infinity(g.group.get(), rp.get())) return Status::Ok();
  if (EC_POINT_get_affine_coordinates(g.group.get(), rp.get(), x.get(), nullptr, ctx) != 1 ||
      BN_nnmod(v.get(), x.get(), n, ctx) != 1) {
    return Status::Fail("ERR_OPENSSL", "verification arithmetic failed");
  }
  *valid = BN_cmp(v.get(), r.get()) == 0;
  return Status::Ok();
}

Status EcdsaSign(const Curve& c, const Bytes& d_bytes, const Bytes& digest, Bytes* r_out, Bytes* s_out) {
  Group g;
  Status st = MakeGroup(c, &g);
  if (!st.ok()) return st;
  if (digest.empty() || digest.size() > 64) return Status::Fail("ERR_MRTD_DIGEST", "digest length");
  const BIGNUM* n = g.n.get();
  BN_CTX* ctx = g.ctx.get();
  BnPtr d = ToBn(d_bytes), e = DigestToInt(digest, n), k(BN_new()), kinv(BN_new()), r(BN_new()), s(BN_new()), x(BN_new());
  PointPtr kg(EC_POINT_new(g.group.get()));
  if (!d || !e || !k || !kinv || !r || !s || !x || !kg) return Status::Fail("ERR_OPENSSL", "allocation");
  if (BN_is_zero(d.get()) || BN_cmp(d.get(), n) >= 0) return Status::Fail("ERR_MRTD_SCALAR", "private key out of range");
  BN_set_flags(d.get(), BN_FLG_CONSTTIME);
  const size_t n_len = static_cast<size_t>(BN_num_bytes(n));
  for (int attempt = 0; attempt < 64; attempt++) {
    BN_set_flags(k.get(), BN_FLG_CONSTTIME);
    if (BN_priv_rand_range(k.get(), n) != 1) return Status::Fail("ERR_OPENSSL", "random nonce");
    if (BN_is_zero(k.get())) continue;
    if (EC_POINT_mul(g.group.get(), kg.get(), k.get(), nullptr, nullptr, ctx) != 1 ||
        EC_POINT_get_affine_coordinates(g.group.get(), kg.get(), x.get(), nullptr, ctx) != 1 ||
        BN_nnmod(r.get(), x.get(), n, ctx) != 1) {
      return Status::Fail("ERR_OPENSSL", "signing arithmetic failed");
    }
    if (BN_is_zero(r.get())) continue;
    // s = k^-1 (e + r d) mod n
    if (BN_mod_inverse(kinv.get(), k.get(), n, ctx) == nullptr || BN_mod_mul(s.get(), r.get(), d.get(), n, ctx) != 1 ||
        BN_mod_add(s.get(), s.get(), e.get(), n, ctx) != 1 || BN_mod_mul(s.get(), s.get(), kinv.get(), n, ctx) != 1) {
      return Status::Fail("ERR_OPENSSL", "signing arithmetic failed");
    }
    if (BN_is_zero(s.get())) continue;
    if (!FromBn(r.get(), n_len, r_out) || !FromBn(s.get(), n_len, s_out)) return Status::Fail("ERR_OPENSSL", "encoding");
    return Status::Ok();
  }
  return Status::Fail("ERR_MRTD_SIGN", "no valid nonce found");
}

}  // namespace mrtd
