// Node-API surface of the face matcher (native/matcher/core). Arguments arrive validated by
// src/native/matcher.ts (STYLE.md P3); this layer keeps only the checks that protect memory
// (typed-array kinds and lengths), converts, and runs the core. Searches, opening and saving
// run on libuv's pool through AsyncWorkers (STYLE.md P4): each worker holds a shared_ptr to
// the gallery, so close() from JS never frees memory a running search still reads.
#include <napi.h>

#include <memory>
#include <string>
#include <vector>

#include "core/gallery.h"

namespace {

using matcher::Gallery;
using matcher::Status;

Napi::Error MakeError(Napi::Env env, const Status& s) {
  Napi::Error e = Napi::Error::New(env, s.detail);
  e.Set("code", Napi::String::New(env, s.code));
  return e;
}

Napi::Value Throw(Napi::Env env, const Status& s) {
  MakeError(env, s).ThrowAsJavaScriptException();
  return env.Undefined();
}

Napi::Value ThrowArg(Napi::Env env, const std::string& what) { return Throw(env, Status::Error("E_ARG", what)); }

bool ParseLevel(const std::string& s, matcher::Level* out) {
  static const struct {
    const char* name;
    matcher::Level level;
  } kLevels[] = {{"auto", matcher::Level::kAuto},     {"scalar", matcher::Level::kScalar},
                 {"avx2", matcher::Level::kAvx2},     {"avx512", matcher::Level::kAvx512},
                 {"avx512-vnni", matcher::Level::kAvx512Vnni}, {"neon", matcher::Level::kNeon}};
  for (const auto& l : kLevels) {
    if (s == l.name) {
      *out = l.level;
      return true;
    }
  }
  return false;
}

// {dim, dtype: 1|2, metric: 1|2, threads, level, binary}; missing fields keep defaults.
bool ParseOptions(Napi::Env env, Napi::Value v, matcher::Options* o) {
  if (!v.IsObject()) {
    ThrowArg(env, "options must be an object");
    return false;
  }
  Napi::Object obj = v.As<Napi::Object>();
  auto u32 = [&](const char* name, uint32_t* dst) {
    Napi::Value f = obj.Get(name);
    if (f.IsUndefined()) return true;
    if (!f.IsNumber()) {
      ThrowArg(env, std::string("options.") + name + " must be a number");
      return false;
    }
    const double d = f.As<Napi::Number>().DoubleValue();
    if (!(d >= 0 && d <= 4294967295.0) || d != static_cast<double>(static_cast<uint32_t>(d))) {
      ThrowArg(env, std::string("options.") + name + " must be a 32-bit unsigned integer");
      return false;
    }
    *dst = static_cast<uint32_t>(d);
    return true;
  };
  uint32_t dtype = static_cast<uint32_t>(o->dtype), metric = static_cast<uint32_t>(o->metric), threads = o->threads;
  if (!u32("dim", &o->dim) || !u32("dtype", &dtype) || !u32("metric", &metric) || !u32("threads", &threads)) return false;
  o->dtype = static_cast<matcher::DType>(dtype);
  o->metric = static_cast<matcher::Metric>(metric);
  o->threads = threads;
  Napi::Value level = obj.Get("level");
  if (!level.IsUndefined() && (!level.IsString() || !ParseLevel(level.As<Napi::String>().Utf8Value(), &o->level))) {
    ThrowArg(env, "options.level must be a kernel level name");
    return false;
  }
  Napi::Value binary = obj.Get("binary");
  if (!binary.IsUndefined()) {
    if (!binary.IsBoolean()) {
      ThrowArg(env, "options.binary must be a boolean");
      return false;
    }
    o->binary = binary.As<Napi::Boolean>().Value();
  }
  return true;
}

bool IsTyped(Napi::Value v, napi_typedarray_type t) { return v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == t; }

// Per-environment state: the class constructor, and a private token object that only this
// file can pass, so JS (which can reach the class through `g.constructor`) cannot hand the
// constructor a forged External.
struct AddonData {
  Napi::FunctionReference ctor;
  Napi::ObjectReference token;
};

Napi::Object Results(Napi::Env env, const std::vector<uint64_t>& ids, const std::vector<float>& scores) {
  Napi::Object r = Napi::Object::New(env);
  Napi::BigUint64Array ia = Napi::BigUint64Array::New(env, ids.size());
  Napi::Float32Array sa = Napi::Float32Array::New(env, scores.size());
  for (size_t i = 0; i < ids.size(); i++) {
    ia[i] = ids[i];
    sa[i] = scores[i];
  }
  r.Set("ids", ia);
  r.Set("scores", sa);
  return r;
}

class SearchWorker : public Napi::AsyncWorker {
 public:
  // `cancel`: an optional Int32Array whose first element JS sets to abandon the search; the
  // reference keeps its memory alive while Execute polls it.
  SearchWorker(Napi::Env env, std::shared_ptr<Gallery> g, std::vector<float> probe, matcher::SearchParams p, Napi::Value cancel)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), g_(std::move(g)), probe_(std::move(probe)), p_(p) {
    if (IsTyped(cancel, napi_int32_array) && cancel.As<Napi::Int32Array>().ElementLength() >= 1) {
      cancel_ = Napi::Persistent(cancel.As<Napi::Object>());
      p_.cancel = cancel.As<Napi::Int32Array>().Data();
    }
  }
  Napi::Promise Promise() { return deferred_.Promise(); }

 protected:
  void Execute() override { status_ = g_->Search(probe_.data(), p_, &ids_, &scores_); }
  void OnOK() override {
    if (status_.ok()) {
      deferred_.Resolve(Results(Env(), ids_, scores_));
    } else {
      deferred_.Reject(MakeError(Env(), status_).Value());
    }
  }

 private:
  Napi::Promise::Deferred deferred_;
  std::shared_ptr<Gallery> g_;
  std::vector<float> probe_;
  matcher::SearchParams p_;
  Napi::ObjectReference cancel_;
  Status status_;
  std::vector<uint64_t> ids_;
  std::vector<float> scores_;
};

class SaveWorker : public Napi::AsyncWorker {
 public:
  SaveWorker(Napi::Env env, std::shared_ptr<Gallery> g, std::string path)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), g_(std::move(g)), path_(std::move(path)) {}
  Napi::Promise Promise() { return deferred_.Promise(); }

 protected:
  void Execute() override { status_ = g_->Save(path_); }
  void OnOK() override {
    if (status_.ok()) {
      deferred_.Resolve(Env().Undefined());
    } else {
      deferred_.Reject(MakeError(Env(), status_).Value());
    }
  }

 private:
  Napi::Promise::Deferred deferred_;
  std::shared_ptr<Gallery> g_;
  std::string path_;
  Status status_;
};

class GalleryWrap : public Napi::ObjectWrap<GalleryWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "MatcherGallery",
                       {InstanceMethod("add", &GalleryWrap::Add), InstanceMethod("remove", &GalleryWrap::Remove),
                        InstanceMethod("has", &GalleryWrap::Has), InstanceMethod("size", &GalleryWrap::Size),
                        InstanceMethod("search", &GalleryWrap::Search), InstanceMethod("searchSync", &GalleryWrap::SearchSync),
                        InstanceMethod("save", &GalleryWrap::Save), InstanceMethod("streamRead", &GalleryWrap::StreamRead),
                        InstanceMethod("info", &GalleryWrap::Info), InstanceMethod("close", &GalleryWrap::Close)});
  }

  // Constructed only from create()/open() with an External holding the core gallery.
  explicit GalleryWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<GalleryWrap>(info) {
    AddonData* data = info.Env().GetInstanceData<AddonData>();
    if (info.Length() < 2 || !info[0].IsExternal() || data == nullptr || !info[1].StrictEquals(data->token.Value())) {
      ThrowArg(info.Env(), "use create() or open()");
      return;
    }
    auto* holder = info[0].As<Napi::External<std::shared_ptr<Gallery>>>().Data();
    g_ = *holder;
  }

 private:
  bool Live(Napi::Env env) {
    if (g_) return true;
    Throw(env, Status::Error("E_STATE", "gallery is closed"));
    return false;
  }

  // ids: BigUint64Array; vectors: Float32Array of ids.length * dim.
  Napi::Value Add(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Live(env)) return env.Undefined();
    if (info.Length() < 2 || !IsTyped(info[0], napi_biguint64_array) || !IsTyped(info[1], napi_float32_array)) {
      return ThrowArg(env, "add(ids: BigUint64Array, vectors: Float32Array)");
    }
    auto ids = info[0].As<Napi::BigUint64Array>();
    auto vecs = info[1].As<Napi::Float32Array>();
    if (vecs.ElementLength() != ids.ElementLength() * g_->options().dim) return ThrowArg(env, "vectors must hold ids.length * dim values");
    Status s = g_->Add(ids.Data(), vecs.Data(), ids.ElementLength());
    return s.ok() ? env.Undefined() : Throw(env, s);
  }

  Napi::Value Remove(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Live(env)) return env.Undefined();
    if (info.Length() < 1 || !IsTyped(info[0], napi_biguint64_array)) return ThrowArg(env, "remove(ids: BigUint64Array)");
    auto ids = info[0].As<Napi::BigUint64Array>();
    return Napi::Number::New(env, static_cast<double>(g_->Remove(ids.Data(), ids.ElementLength())));
  }

  Napi::Value Has(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Live(env)) return env.Undefined();
    if (info.Length() < 1 || !info[0].IsBigInt()) return ThrowArg(env, "has(id: bigint)");
    bool lossless = false;
    const uint64_t id = info[0].As<Napi::BigInt>().Uint64Value(&lossless);
    return Napi::Boolean::New(env, lossless && g_->Has(id));
  }

  Napi::Value Size(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Live(env)) return env.Undefined();
    return Napi::Number::New(env, static_cast<double>(g_->Size()));
  }

  bool SearchArgs(const Napi::CallbackInfo& info, std::vector<float>* probe, matcher::SearchParams* p) {
    Napi::Env env = info.Env();
    if (info.Length() < 3 || !IsTyped(info[0], napi_float32_array) || !info[1].IsNumber() || !info[2].IsNumber()) {
      ThrowArg(env, "search(probe: Float32Array, k: number, candidates: number)");
      return false;
    }
    auto q = info[0].As<Napi::Float32Array>();
    if (q.ElementLength() != g_->options().dim) {
      ThrowArg(env, "probe length must equal dim");
      return false;
    }
    const double k = info[1].As<Napi::Number>().DoubleValue(), c = info[2].As<Napi::Number>().DoubleValue();
    // Bounds keep the per-search heaps small whatever a caller passes.
    if (!(k >= 1 && k <= 100000) || !(c >= 0 && c <= 10000000)) {
      ThrowArg(env, "k must be in 1..100000 and candidates in 0..10000000");
      return false;
    }
    probe->assign(q.Data(), q.Data() + q.ElementLength());
    p->k = static_cast<size_t>(k);
    p->candidates = static_cast<size_t>(c);
    return true;
  }

  Napi::Value Search(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Live(env)) return env.Undefined();
    std::vector<float> probe;
    matcher::SearchParams p;
    if (!SearchArgs(info, &probe, &p)) return env.Undefined();
    auto* w = new SearchWorker(env, g_, std::move(probe), p, info.Length() > 3 ? info[3] : env.Undefined());
    Napi::Promise promise = w->Promise();
    w->Queue();
    return promise;
  }

  Napi::Value SearchSync(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Live(env)) return env.Undefined();
    std::vector<float> probe;
    matcher::SearchParams p;
    if (!SearchArgs(info, &probe, &p)) return env.Undefined();
    std::vector<uint64_t> ids;
    std::vector<float> scores;
    Status s = g_->Search(probe.data(), p, &ids, &scores);
    return s.ok() ? Napi::Value(Results(env, ids, scores)) : Throw(env, s);
  }

  Napi::Value Save(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Live(env)) return env.Undefined();
    if (info.Length() < 1 || !info[0].IsString()) return ThrowArg(env, "save(path: string)");
    auto* w = new SaveWorker(env, g_, info[0].As<Napi::String>().Utf8Value());
    Napi::Promise promise = w->Promise();
    w->Queue();
    return promise;
  }

  Napi::Value StreamRead(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Live(env)) return env.Undefined();
    if (info.Length() < 1 || !info[0].IsNumber()) return ThrowArg(env, "streamRead(repeats: number)");
    const double r = info[0].As<Napi::Number>().DoubleValue();
    if (!(r >= 1 && r <= 1000)) return ThrowArg(env, "repeats must be in 1..1000");
    const matcher::Bandwidth bw = g_->StreamRead(static_cast<unsigned>(r));
    Napi::Object o = Napi::Object::New(env);
    o.Set("bytes", Napi::Number::New(env, static_cast<double>(bw.bytes)));
    o.Set("seconds", Napi::Number::New(env, bw.seconds));
    o.Set("checksum", Napi::Number::New(env, static_cast<double>(bw.checksum & 0xFFFFFFFFu)));
    return o;
  }

  Napi::Value Info(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Live(env)) return env.Undefined();
    const matcher::Options& o = g_->options();
    Napi::Object r = Napi::Object::New(env);
    r.Set("dim", Napi::Number::New(env, o.dim));
    r.Set("dtype", Napi::Number::New(env, static_cast<double>(o.dtype)));
    r.Set("metric", Napi::Number::New(env, static_cast<double>(o.metric)));
    r.Set("threads", Napi::Number::New(env, o.threads));
    r.Set("binary", Napi::Boolean::New(env, o.binary));
    r.Set("kernels", Napi::String::New(env, g_->kernel_name()));
    r.Set("mapped", Napi::Boolean::New(env, g_->mapped()));
    r.Set("rowBytes", Napi::Number::New(env, static_cast<double>(g_->row_bytes())));
    return r;
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    g_.reset();  // running workers keep their own reference until they finish
    return info.Env().Undefined();
  }

  std::shared_ptr<Gallery> g_;
};

Napi::Value Wrap(Napi::Env env, std::shared_ptr<Gallery> g) {
  std::shared_ptr<Gallery> holder = std::move(g);
  // The External only lives for the constructor call, which copies the shared_ptr.
  Napi::External<std::shared_ptr<Gallery>> ext = Napi::External<std::shared_ptr<Gallery>>::New(env, &holder);
  AddonData* data = env.GetInstanceData<AddonData>();
  return data->ctor.New({ext, data->token.Value()});
}

class OpenWorker : public Napi::AsyncWorker {
 public:
  OpenWorker(Napi::Env env, std::string path, bool map, matcher::Options o)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), path_(std::move(path)), map_(map), o_(o) {}
  Napi::Promise Promise() { return deferred_.Promise(); }

 protected:
  void Execute() override { status_ = Gallery::Open(path_, map_, o_, &g_); }
  void OnOK() override {
    if (!status_.ok()) {
      deferred_.Reject(MakeError(Env(), status_).Value());
      return;
    }
    deferred_.Resolve(Wrap(Env(), std::shared_ptr<Gallery>(std::move(g_))));
  }

 private:
  Napi::Promise::Deferred deferred_;
  std::string path_;
  bool map_;
  matcher::Options o_;
  Status status_;
  std::unique_ptr<Gallery> g_;
};

Napi::Value Create(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  matcher::Options o;
  if (info.Length() < 1 || !ParseOptions(env, info[0], &o)) return env.Undefined();
  std::unique_ptr<Gallery> g;
  Status s = Gallery::Create(o, &g);
  if (!s.ok()) return Throw(env, s);
  return Wrap(env, std::shared_ptr<Gallery>(std::move(g)));
}

// open(path, map, options) → Promise<MatcherGallery>
Napi::Value Open(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  matcher::Options o;
  if (info.Length() < 3 || !info[0].IsString() || !info[1].IsBoolean()) return ThrowArg(env, "open(path: string, map: boolean, options)");
  if (!ParseOptions(env, info[2], &o)) return env.Undefined();
  auto* w = new OpenWorker(env, info[0].As<Napi::String>().Utf8Value(), info[1].As<Napi::Boolean>().Value(), o);
  Napi::Promise promise = w->Promise();
  w->Queue();
  return promise;
}

Napi::Value Levels(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array a = Napi::Array::New(env);
  uint32_t n = 0;
  a.Set(n++, "scalar");
  if (matcher::Avx2Kernels() != nullptr) a.Set(n++, "avx2");
  if (matcher::Avx512Kernels(false) != nullptr) a.Set(n++, "avx512");
  if (matcher::Avx512Kernels(true) != nullptr) a.Set(n++, "avx512-vnni");
  if (matcher::NeonKernels() != nullptr) a.Set(n++, "neon");
  return a;
}

Napi::Value AutoLevel(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), matcher::SelectKernels(matcher::Level::kAuto)->name);
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto* data = new AddonData();
  data->ctor = Napi::Persistent(GalleryWrap::Define(env));
  data->token = Napi::Persistent(Napi::Object::New(env));
  env.SetInstanceData(data);
  exports.Set("create", Napi::Function::New(env, Create));
  exports.Set("open", Napi::Function::New(env, Open));
  exports.Set("levels", Napi::Function::New(env, Levels));
  exports.Set("autoLevel", Napi::Function::New(env, AutoLevel));
  return exports;
}

}  // namespace

NODE_API_MODULE(matcher, Init)
