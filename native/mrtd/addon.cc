// Node-API surface of the chip engine's cryptography (native/mrtd/core). Arguments arrive
// validated and normalised by src/native/mrtd.ts (STYLE.md P3); this layer only converts
// Buffers and objects to plain bytes, runs the core and converts back. Failures become a JS
// Error whose `code` is the core's stable code; the wrapper turns it into a NativeError.
// All calls are synchronous: each finishes in well under a millisecond for ICAO key sizes
// (the AsyncWorker rule of STYLE.md P4 is for blocking work such as card I/O).
#include <napi.h>
#include <openssl/err.h>

#include "core/bn.h"
#include "core/ec.h"
#include "core/iso9796.h"
#include "core/sym.h"

namespace {

using mrtd::Bytes;
using mrtd::Status;

bool ArgBytes(const Napi::CallbackInfo& info, size_t i, const char* name, Bytes* out) {
  if (info.Length() <= i || !info[i].IsBuffer()) {
    Napi::TypeError::New(info.Env(), std::string("Expected a Buffer for ") + name).ThrowAsJavaScriptException();
    return false;
  }
  auto b = info[i].As<Napi::Buffer<uint8_t>>();
  out->assign(b.Data(), b.Data() + b.Length());
  return true;
}

bool ArgBool(const Napi::CallbackInfo& info, size_t i, const char* name, bool* out) {
  if (info.Length() <= i || !info[i].IsBoolean()) {
    Napi::TypeError::New(info.Env(), std::string("Expected a boolean for ") + name).ThrowAsJavaScriptException();
    return false;
  }
  *out = info[i].As<Napi::Boolean>().Value();
  return true;
}

bool ArgCurve(const Napi::CallbackInfo& info, size_t i, mrtd::Curve* c) {
  if (info.Length() <= i || !info[i].IsObject()) {
    Napi::TypeError::New(info.Env(), "Expected a curve object").ThrowAsJavaScriptException();
    return false;
  }
  Napi::Object o = info[i].As<Napi::Object>();
  struct Field {
    const char* name;
    Bytes* dst;
  } fields[] = {{"p", &c->p}, {"a", &c->a}, {"b", &c->b}, {"gx", &c->gx}, {"gy", &c->gy}, {"n", &c->n}, {"h", &c->h}};
  for (const Field& f : fields) {
    Napi::Value v = o.Get(f.name);
    if (!v.IsBuffer()) {
      Napi::TypeError::New(info.Env(), std::string("Expected a Buffer for curve.") + f.name).ThrowAsJavaScriptException();
      return false;
    }
    auto b = v.As<Napi::Buffer<uint8_t>>();
    f.dst->assign(b.Data(), b.Data() + b.Length());
  }
  return true;
}

Napi::Value Fail(Napi::Env env, const Status& s) {
  Napi::Error e = Napi::Error::New(env, s.detail);
  e.Set("code", Napi::String::New(env, s.code));
  e.ThrowAsJavaScriptException();
  return env.Undefined();
}

Napi::Value Buf(Napi::Env env, const Bytes& b) { return Napi::Buffer<uint8_t>::Copy(env, b.data(), b.size()); }

Napi::Value TdesCbc(const Napi::CallbackInfo& info) {
  Bytes key, iv, data, out;
  bool encrypt;
  if (!ArgBytes(info, 0, "key", &key) || !ArgBytes(info, 1, "iv", &iv) || !ArgBytes(info, 2, "data", &data) ||
      !ArgBool(info, 3, "encrypt", &encrypt)) {
    return info.Env().Undefined();
  }
  Status s = mrtd::TdesCbc(key, iv, data, encrypt, &out);
  return s.ok() ? Buf(info.Env(), out) : Fail(info.Env(), s);
}

Napi::Value RetailMac(const Napi::CallbackInfo& info) {
  Bytes key, data, out;
  if (!ArgBytes(info, 0, "key", &key) || !ArgBytes(info, 1, "data", &data)) return info.Env().Undefined();
  Status s = mrtd::RetailMac(key, data, &out);
  return s.ok() ? Buf(info.Env(), out) : Fail(info.Env(), s);
}

Napi::Value AesCmac(const Napi::CallbackInfo& info) {
  Bytes key, data, out;
  if (!ArgBytes(info, 0, "key", &key) || !ArgBytes(info, 1, "data", &data)) return info.Env().Undefined();
  Status s = mrtd::AesCmac(key, data, &out);
  return s.ok() ? Buf(info.Env(), out) : Fail(info.Env(), s);
}

Napi::Value EcMul(const Napi::CallbackInfo& info) {
  mrtd::Curve c;
  Bytes k, point, out;
  if (!ArgCurve(info, 0, &c) || !ArgBytes(info, 1, "scalar", &k) || !ArgBytes(info, 2, "point", &point)) {
    return info.Env().Undefined();
  }
  Status s = mrtd::EcMul(c, k, point, &out);
  return s.ok() ? Buf(info.Env(), out) : Fail(info.Env(), s);
}

Napi::Value EcAdd(const Napi::CallbackInfo& info) {
  mrtd::Curve c;
  Bytes p, q, out;
  if (!ArgCurve(info, 0, &c) || !ArgBytes(info, 1, "p", &p) || !ArgBytes(info, 2, "q", &q)) return info.Env().Undefined();
  Status s = mrtd::EcAdd(c, p, q, &out);
  return s.ok() ? Buf(info.Env(), out) : Fail(info.Env(), s);
}

Napi::Value EcCheckPoint(const Napi::CallbackInfo& info) {
  mrtd::Curve c;
  Bytes p;
  bool valid = false;
  if (!ArgCurve(info, 0, &c) || !ArgBytes(info, 1, "point", &p)) return info.Env().Undefined();
  Status s = mrtd::EcCheckPoint(c, p, &valid);
  return s.ok() ? Napi::Boolean::New(info.Env(), valid) : Fail(info.Env(), s);
}

Napi::Value EcMapIntegrated(const Napi::CallbackInfo& info) {
  mrtd::Curve c;
  Bytes t, out;
  if (!ArgCurve(info, 0, &c) || !ArgBytes(info, 1, "t", &t)) return info.Env().Undefined();
  Status s = mrtd::EcMapIntegrated(c, t, &out);
  return s.ok() ? Buf(info.Env(), out) : Fail(info.Env(), s);
}

Napi::Value EcdsaVerify(const Napi::CallbackInfo& info) {
  mrtd::Curve c;
  Bytes q, digest, r, s;
  bool valid = false;
  if (!ArgCurve(info, 0, &c) || !ArgBytes(info, 1, "point", &q) || !ArgBytes(info, 2, "digest", &digest) ||
      !ArgBytes(info, 3, "r", &r) || !ArgBytes(info, 4, "s", &s)) {
    return info.Env().Undefined();
  }
  Status st = mrtd::EcdsaVerify(c, q, digest, r, s, &valid);
  return st.ok() ? Napi::Boolean::New(info.Env(), valid) : Fail(info.Env(), st);
}

Napi::Value EcdsaSign(const Napi::CallbackInfo& info) {
  mrtd::Curve c;
  Bytes d, digest, r, s;
  if (!ArgCurve(info, 0, &c) || !ArgBytes(info, 1, "d", &d) || !ArgBytes(info, 2, "digest", &digest)) {
    return info.Env().Undefined();
  }
  Status st = mrtd::EcdsaSign(c, d, digest, &r, &s);
  if (!st.ok()) return Fail(info.Env(), st);
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("r", Buf(info.Env(), r));
  o.Set("s", Buf(info.Env(), s));
  return o;
}

Napi::Value ModExp(const Napi::CallbackInfo& info) {
  Bytes b, e, m, out;
  bool secret;
  if (!ArgBytes(info, 0, "base", &b) || !ArgBytes(info, 1, "exponent", &e) || !ArgBytes(info, 2, "modulus", &m) ||
      !ArgBool(info, 3, "secretExponent", &secret)) {
    return info.Env().Undefined();
  }
  Status s = mrtd::ModExp(b, e, m, secret, &out);
  return s.ok() ? Buf(info.Env(), out) : Fail(info.Env(), s);
}

Napi::Value ModMul(const Napi::CallbackInfo& info) {
  Bytes a, b, m, out;
  if (!ArgBytes(info, 0, "a", &a) || !ArgBytes(info, 1, "b", &b) || !ArgBytes(info, 2, "modulus", &m)) {
    return info.Env().Undefined();
  }
  Status s = mrtd::ModMul(a, b, m, &out);
  return s.ok() ? Buf(info.Env(), out) : Fail(info.Env(), s);
}

Napi::Value MessageObject(Napi::Env env, const mrtd::Iso9796Message& m) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("m1", Buf(env, m.m1));
  o.Set("digest", Buf(env, m.digest));
  o.Set("hash", Napi::String::New(env, m.hash));
  o.Set("partial", Napi::Boolean::New(env, m.partial));
  o.Set("implicit", Napi::Boolean::New(env, m.implicit));
  return o;
}

Napi::Value Iso9796Recover(const Napi::CallbackInfo& info) {
  Bytes n, e, sig;
  if (!ArgBytes(info, 0, "modulus", &n) || !ArgBytes(info, 1, "exponent", &e) || !ArgBytes(info, 2, "signature", &sig)) {
    return info.Env().Undefined();
  }
  mrtd::Iso9796Message m;
  Status s = mrtd::Iso9796Recover(n, e, sig, &m);
  return s.ok() ? MessageObject(info.Env(), m) : Fail(info.Env(), s);
}

Napi::Value Iso9796Encode(const Napi::CallbackInfo& info) {
  Bytes m1, digest, out;
  bool implicit, partial;
  if (info.Length() < 1 || !info[0].IsNumber()) {
    Napi::TypeError::New(info.Env(), "Expected a number for modulusBits").ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  if (info.Length() < 4 || !info[3].IsString()) {
    Napi::TypeError::New(info.Env(), "Expected a string for hash").ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  const int64_t bits = info[0].As<Napi::Number>().Int64Value();
  if (!ArgBytes(info, 1, "m1", &m1) || !ArgBytes(info, 2, "digest", &digest) || !ArgBool(info, 4, "implicit", &implicit) ||
      !ArgBool(info, 5, "partial", &partial)) {
    return info.Env().Undefined();
  }
  if (bits <= 0) return Fail(info.Env(), Status::Fail("ERR_MRTD_UNSUPPORTED", "modulus bit length"));
  Status s = mrtd::Iso9796Encode(static_cast<size_t>(bits), m1, digest, info[3].As<Napi::String>().Utf8Value(), implicit,
                                 partial, &out);
  return s.ok() ? Buf(info.Env(), out) : Fail(info.Env(), s);
}

Napi::Value Iso9796Capacity(const Napi::CallbackInfo& info) {
  if (info.Length() < 3 || !info[0].IsNumber() || !info[1].IsNumber() || !info[2].IsBoolean()) {
    Napi::TypeError::New(info.Env(), "Expected (modulusBits, digestLength, implicit)").ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  const int64_t bits = info[0].As<Napi::Number>().Int64Value();
  const int64_t dlen = info[1].As<Napi::Number>().Int64Value();
  if (bits <= 0 || dlen <= 0) return Napi::Number::New(info.Env(), 0);
  return Napi::Number::New(info.Env(), static_cast<double>(mrtd::Iso9796Capacity(static_cast<size_t>(bits),
                                                                                 static_cast<size_t>(dlen),
                                                                                 info[2].As<Napi::Boolean>().Value())));
}

// Every entry point leaves OpenSSL's per-thread error queue empty: Node's own crypto reads
// that queue, and a stale entry from a refused point would surface as the reason for an
// unrelated failure there.
template <Napi::Value (*F)(const Napi::CallbackInfo&)>
Napi::Value Clean(const Napi::CallbackInfo& info) {
  ERR_clear_error();
  Napi::Value v = F(info);
  ERR_clear_error();
  return v;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("tdesCbc", Napi::Function::New(env, Clean<TdesCbc>, "tdesCbc"));
  exports.Set("retailMac", Napi::Function::New(env, Clean<RetailMac>, "retailMac"));
  exports.Set("aesCmac", Napi::Function::New(env, Clean<AesCmac>, "aesCmac"));
  exports.Set("ecMul", Napi::Function::New(env, Clean<EcMul>, "ecMul"));
  exports.Set("ecAdd", Napi::Function::New(env, Clean<EcAdd>, "ecAdd"));
  exports.Set("ecCheckPoint", Napi::Function::New(env, Clean<EcCheckPoint>, "ecCheckPoint"));
  exports.Set("ecMapIntegrated", Napi::Function::New(env, Clean<EcMapIntegrated>, "ecMapIntegrated"));
  exports.Set("ecdsaVerify", Napi::Function::New(env, Clean<EcdsaVerify>, "ecdsaVerify"));
  exports.Set("ecdsaSign", Napi::Function::New(env, Clean<EcdsaSign>, "ecdsaSign"));
  exports.Set("modExp", Napi::Function::New(env, Clean<ModExp>, "modExp"));
  exports.Set("modMul", Napi::Function::New(env, Clean<ModMul>, "modMul"));
  exports.Set("iso9796Recover", Napi::Function::New(env, Clean<Iso9796Recover>, "iso9796Recover"));
  exports.Set("iso9796Encode", Napi::Function::New(env, Clean<Iso9796Encode>, "iso9796Encode"));
  exports.Set("iso9796Capacity", Napi::Function::New(env, Clean<Iso9796Capacity>, "iso9796Capacity"));
  return exports;
}

}  // namespace

NODE_API_MODULE(mrtd, Init)
