#include "gallery.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <mutex>
#include <thread>
#include <unordered_set>

namespace matcher {
namespace {

constexpr size_t kBlockRows = 256;             // scores computed per kernel call
constexpr size_t kChunkBytes = size_t{1} << 20;  // work item of a parallel scan (~1 MiB)
constexpr unsigned kMaxThreads = 256;

bool AllFinite(const float* v, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (!std::isfinite(v[i])) return false;
  }
  return true;
}

// L2 norm in double so that every kernel level sees the same normalised floats.
double Norm(const float* v, size_t n) {
  double s = 0;
  for (size_t i = 0; i < n; i++) s += double{v[i]} * double{v[i]};
  return std::sqrt(s);
}

void SignBits(const float* x, size_t dim, uint64_t* out, size_t words) {
  std::memset(out, 0, words * 8);
  for (size_t i = 0; i < dim; i++) {
    if (x[i] > 0.0f) out[i / 64] |= uint64_t{1} << (i % 64);
  }
}

void SignBits(const int8_t* x, size_t dim, uint64_t* out, size_t words) {
  std::memset(out, 0, words * 8);
  for (size_t i = 0; i < dim; i++) {
    if (x[i] > 0) out[i / 64] |= uint64_t{1} << (i % 64);
  }
}

Status Io(const std::string& what) { return Status::Error("E_IO", what + ": " + std::strerror(errno)); }

bool ReadAt(int fd, uint8_t* dst, uint64_t len, uint64_t off) {
  while (len > 0) {
    const size_t step = len > (size_t{1} << 30) ? (size_t{1} << 30) : static_cast<size_t>(len);
    const ssize_t got = pread(fd, dst, step, static_cast<off_t>(off));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    dst += got;
    len -= static_cast<uint64_t>(got);
    off += static_cast<uint64_t>(got);
  }
  return true;
}

bool WriteAll(int fd, const void* src, size_t len) {
  const uint8_t* p = static_cast<const uint8_t*>(src);
  while (len > 0) {
    const ssize_t put = write(fd, p, len);
    if (put < 0 && errno == EINTR) continue;
    if (put <= 0) return false;
    p += put;
    len -= static_cast<size_t>(put);
  }
  return true;
}

}  // namespace

float QuantizeI8(const float* x, size_t dim, int8_t* out) {
  float m = 0;
  for (size_t i = 0; i < dim; i++) m = std::fmax(m, std::fabs(x[i]));
  if (!(m > 0)) {
    std::memset(out, 0, dim);
    return 0;
  }
  const float inv = 127.0f / m;
  for (size_t i = 0; i < dim; i++) {
    long v = std::lrint(x[i] * inv);
    if (v > 127) v = 127;
    if (v < -127) v = -127;
    out[i] = static_cast<int8_t>(v);
  }
  return m / 127.0f;
}

Gallery::Gallery(const Options& o, const KernelSet* k)
    : o_(o), k_(k), row_bytes_(o.dim * ElemSize(o.dtype)), words_((o.dim + 63) / 64) {
  pool_ = std::make_unique<Pool>(o_.threads);
}

Gallery::~Gallery() {
  pool_.reset();
  if (map_ != nullptr) munmap(map_, map_len_);
}

Status Gallery::Create(const Options& in, std::unique_ptr<Gallery>* out) {
  Options o = in;
  if (!ValidDim(o.dim)) return Status::Error("E_ARG", "dim must be a multiple of 16 in 16..4096");
  if (o.dtype != DType::kF32 && o.dtype != DType::kI8) return Status::Error("E_ARG", "unknown dtype");
  if (o.metric != Metric::kCosine && o.metric != Metric::kInnerProduct) return Status::Error("E_ARG", "unknown metric");
  const KernelSet* k = SelectKernels(o.level);
  if (k == nullptr) return Status::Error("E_ARG", "the requested kernel level is not available on this CPU");
  if (o.threads == 0) o.threads = std::thread::hardware_concurrency();
  if (o.threads == 0) o.threads = 1;
  if (o.threads > kMaxThreads) o.threads = kMaxThreads;
  out->reset(new Gallery(o, k));
  return Status::Ok();
}

Status Gallery::Open(const std::string& path, bool map, const Options& in, std::unique_ptr<Gallery>* out) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Io("gallery file open");
  struct FdCloser {
    int fd;
    ~FdCloser() { close(fd); }
  } closer{fd};
  struct stat st;
  if (fstat(fd, &st) != 0) return Io("gallery file stat");
  if (!S_ISREG(st.st_mode)) return Status::Error("E_FORMAT", "gallery file: not a regular file");
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  uint8_t head[kHeaderSize] = {};
  const size_t avail = size < kHeaderSize ? static_cast<size_t>(size) : kHeaderSize;
  if (!ReadAt(fd, head, avail, 0)) return Io("gallery file header read");
  Layout l;
  Status s = ParseHeader(head, avail, size, &l);
  if (!s.ok()) return s;

  Options o = in;
  o.dim = l.dim;
  o.dtype = l.dtype;
  o.metric = l.metric;
  std::unique_ptr<Gallery> g;
  s = Create(o, &g);
  if (!s.ok()) return s;

  const size_t count = static_cast<size_t>(l.count);
  const size_t vec_bytes = count * g->row_bytes_;
  std::vector<uint8_t> ids(count * 8), scales(l.dtype == DType::kI8 ? count * 4 : 0);
  if (!ReadAt(fd, ids.data(), ids.size(), l.ids_offset)) return Io("gallery file ids read");
  if (!scales.empty() && !ReadAt(fd, scales.data(), scales.size(), l.scales_offset)) return Io("gallery file scales read");
  if (map) {
    // Copy-on-write: remove() may move rows inside the mapping without touching the file.
    void* m = mmap(nullptr, static_cast<size_t>(size), PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    if (m == MAP_FAILED) return Io("gallery file mmap");
    g->map_ = m;
    g->map_len_ = static_cast<size_t>(size);
    g->base_ = static_cast<uint8_t*>(m) + l.vectors_offset;
    s = g->LoadRows(ids.data(), scales.data(), count, true);
    if (s.ok()) *out = std::move(g);
    return s;
  }
  if (!g->tail_.Resize(vec_bytes)) return Status::Error("E_IO", "out of memory for the gallery vectors");
  if (!ReadAt(fd, g->tail_.data(), vec_bytes, l.vectors_offset)) return Io("gallery file vectors read");
  s = g->LoadRows(ids.data(), scales.data(), count, false);
  if (s.ok()) *out = std::move(g);
  return s;
}

// Takes the ids and scales of a parsed file; the vectors are already in the mapped base
// (`mapped`) or were read into the tail.
Status Gallery::LoadRows(const uint8_t* ids, const uint8_t* scales, uint64_t count, bool mapped) {
  const size_t n = static_cast<size_t>(count);
  ids_.resize(n);
  std::memcpy(ids_.data(), ids, n * 8);
  index_.reserve(n);
  for (size_t i = 0; i < n; i++) {
    if (!index_.emplace(ids_[i], i).second) return Status::Error("E_FORMAT", "gallery file ids: duplicate id");
  }
  if (o_.dtype == DType::kI8) {
    scales_.resize(n);
    std::memcpy(scales_.data(), scales, n * 4);
    for (float f : scales_) {
      if (!std::isfinite(f) || f < 0) return Status::Error("E_FORMAT", "gallery file scales: not a finite non-negative number");
    }
  }
  if (mapped) base_n_ = n;
  if (o_.binary) {
    bits_.resize(n * words_);
    std::vector<float> tmp(o_.dim);
    for (size_t i = 0; i < n; i++) {
      if (o_.dtype == DType::kI8) {
        SignBits(reinterpret_cast<const int8_t*>(Row(i)), o_.dim, &bits_[i * words_], words_);
      } else {
        std::memcpy(tmp.data(), Row(i), row_bytes_);
        SignBits(tmp.data(), o_.dim, &bits_[i * words_], words_);
      }
    }
  }
  return Status::Ok();
}

void Gallery::Encode(const float* v, uint8_t* row, float* scale, uint64_t* bits) const {
  std::vector<float> x(v, v + o_.dim);
  if (o_.metric == Metric::kCosine) {
    const double n = Norm(v, o_.dim);
    for (float& f : x) f = static_cast<float>(f / n);
  }
  if (o_.dtype == DType::kF32) {
    std::memcpy(row, x.data(), row_bytes_);
    if (bits != nullptr) SignBits(x.data(), o_.dim, bits, words_);
  } else {
    int8_t* q = reinterpret_cast<int8_t*>(row);
    *scale = QuantizeI8(x.data(), o_.dim, q);
    if (bits != nullptr) SignBits(q, o_.dim, bits, words_);
  }
}

Status Gallery::Add(const uint64_t* ids, const float* vectors, size_t n) {
  std::unique_lock<std::shared_mutex> lock(mu_);
  std::unordered_set<uint64_t> batch;
  batch.reserve(n);
  for (size_t i = 0; i < n; i++) {
    if (index_.count(ids[i]) != 0 || !batch.insert(ids[i]).second) return Status::Error("E_DUPLICATE", "id already in the gallery");
    const float* v = vectors + i * o_.dim;
    if (!AllFinite(v, o_.dim)) return Status::Error("E_ARG", "embedding has a non-finite component");
    if (o_.metric == Metric::kCosine && !(Norm(v, o_.dim) > 0)) return Status::Error("E_ARG", "embedding is all zero");
  }
  if (Count() + n > kMaxCount) return Status::Error("E_ARG", "gallery would exceed the maximum count");
  const size_t first = Count();
  if (!tail_.Resize(tail_.size() + n * row_bytes_)) return Status::Error("E_ARG", "out of memory for the new vectors");
  ids_.resize(first + n);
  if (o_.dtype == DType::kI8) scales_.resize(first + n);
  if (o_.binary) bits_.resize((first + n) * words_);
  for (size_t i = 0; i < n; i++) {
    const size_t r = first + i;
    float scale = 0;
    Encode(vectors + i * o_.dim, MutableRow(r), &scale, o_.binary ? &bits_[r * words_] : nullptr);
    if (o_.dtype == DType::kI8) scales_[r] = scale;
    ids_[r] = ids[i];
    index_[ids[i]] = r;
  }
  return Status::Ok();
}

size_t Gallery::Remove(const uint64_t* ids, size_t n) {
  std::unique_lock<std::shared_mutex> lock(mu_);
  size_t removed = 0;
  for (size_t j = 0; j < n; j++) {
    auto it = index_.find(ids[j]);
    if (it == index_.end()) continue;
    const size_t i = it->second, last = Count() - 1;
    index_.erase(it);
    if (i != last) {
      std::memcpy(MutableRow(i), Row(last), row_bytes_);
      ids_[i] = ids_[last];
      index_[ids_[i]] = i;
      if (o_.dtype == DType::kI8) scales_[i] = scales_[last];
      if (o_.binary) std::memcpy(&bits_[i * words_], &bits_[last * words_], words_ * 8);
    }
    ids_.pop_back();
    if (o_.dtype == DType::kI8) scales_.pop_back();
    if (o_.binary) bits_.resize(bits_.size() - words_);
    if (!tail_.empty()) {
      tail_.Resize(tail_.size() - row_bytes_);
    } else {
      base_n_--;
    }
    removed++;
  }
  return removed;
}

bool Gallery::Has(uint64_t id) const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  return index_.count(id) != 0;
}

size_t Gallery::Size() const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  return Count();
}

template <typename ScanFn>
bool Gallery::Parallel(size_t rows, size_t k, const int32_t* cancel, ScanFn scan, TopK* out) const {
  const size_t chunk_rows = std::max(kBlockRows, kChunkBytes / row_bytes_);
  const size_t chunks = (rows + chunk_rows - 1) / chunk_rows;
  std::atomic<size_t> next{0};
  std::atomic<bool> cancelled{false};
  std::mutex merge;
  const std::function<void()> body = [&] {
    TopK local(k);
    for (;;) {
      if (cancel != nullptr && __atomic_load_n(cancel, __ATOMIC_RELAXED) != 0) {
        cancelled.store(true, std::memory_order_relaxed);
        break;
      }
      const size_t c = next.fetch_add(1, std::memory_order_relaxed);
      if (c >= chunks) break;
      scan(c * chunk_rows, std::min(rows, (c + 1) * chunk_rows), &local);
    }
    std::lock_guard<std::mutex> lock(merge);
    out->Merge(local);
  };
  const unsigned helpers = chunks > 1 ? static_cast<unsigned>(std::min<size_t>(pool_->threads() - 1, chunks - 1)) : 0;
  pool_->Run(helpers, body);
  return !cancelled.load(std::memory_order_relaxed);
}

// Offers a block of scores to the heap. Most rows of a large gallery cannot enter, so rows
// are first tested 16 at a time against the heap's threshold in a loop the compiler
// vectorises; only a group with a candidate goes through the heap one by one.
static void OfferBlock(const float* s, size_t first, size_t nb, TopK* top) {
  constexpr size_t kGroup = 16;
  size_t j = 0;
  for (; j + kGroup <= nb; j += kGroup) {
    const float thr = top->Threshold();
    int any = 0;
    for (size_t g = 0; g < kGroup; g++) any |= s[j + g] >= thr;
    if (!any) continue;
    for (size_t g = j; g < j + kGroup; g++) {
      if (!top->Rejects(s[g])) top->Push(s[g], first + g);
    }
  }
  for (; j < nb; j++) {
    if (!top->Rejects(s[j])) top->Push(s[j], first + j);
  }
}

void Gallery::ScanExact(const float* qf, const int8_t* qi, float qscale, size_t first, size_t last, TopK* top) const {
  float fs[kBlockRows];
  int32_t is[kBlockRows];
  size_t i = first;
  while (i < last) {
    // A block never straddles the base/tail boundary: rows are contiguous only within one.
    const size_t seg_end = i < base_n_ ? std::min(last, base_n_) : last;
    const size_t nb = std::min(kBlockRows, seg_end - i);
    const uint8_t* rows = Row(i);
    if (o_.dtype == DType::kF32) {
      k_->dot_f32(qf, reinterpret_cast<const float*>(rows), nb, o_.dim, fs);
    } else {
      k_->dot_i8(qi, reinterpret_cast<const int8_t*>(rows), nb, o_.dim, is);
      const float* sc = scales_.data() + i;
      for (size_t j = 0; j < nb; j++) fs[j] = static_cast<float>(is[j]) * qscale * sc[j];
    }
    OfferBlock(fs, i, nb, top);
    i += nb;
  }
}

Status Gallery::Search(const float* probe, const SearchParams& p, std::vector<uint64_t>* ids, std::vector<float>* scores) const {
  if (!AllFinite(probe, o_.dim)) return Status::Error("E_ARG", "probe has a non-finite component");
  if (p.candidates > 0 && !o_.binary) return Status::Error("E_ARG", "prefilter needs a gallery opened with binary sign bits");
  std::vector<float> q(probe, probe + o_.dim);
  if (o_.metric == Metric::kCosine) {
    const double n = Norm(probe, o_.dim);
    if (!(n > 0)) return Status::Error("E_ARG", "probe is all zero");
    for (float& f : q) f = static_cast<float>(f / n);
  }
  std::vector<int8_t> qi(o_.dtype == DType::kI8 ? o_.dim : 0);
  float qscale = 0;
  if (o_.dtype == DType::kI8) qscale = QuantizeI8(q.data(), o_.dim, qi.data());

  std::shared_lock<std::shared_mutex> lock(mu_);
  const size_t n = Count();
  const size_t k = std::min(p.k, n);
  TopK top(k);
  const Status aborted = Status::Error("E_ABORTED", "search cancelled");
  if (k > 0 && p.candidates == 0) {
    if (!Parallel(n, k, p.cancel, [&](size_t a, size_t b, TopK* t) { ScanExact(q.data(), qi.data(), qscale, a, b, t); }, &top)) {
      return aborted;
    }
  } else if (k > 0) {
    std::vector<uint64_t> qb(words_);
    if (o_.dtype == DType::kI8) {
      SignBits(qi.data(), o_.dim, qb.data(), words_);
    } else {
      SignBits(q.data(), o_.dim, qb.data(), words_);
    }
    const size_t r = std::min(n, std::max(p.candidates, k));
    TopK coarse(r);
    const bool done = Parallel(n, r, p.cancel, [&](size_t a, size_t b, TopK* t) {
      uint32_t d[kBlockRows];
      for (size_t i = a; i < b; i += kBlockRows) {
        const size_t nb = std::min(kBlockRows, b - i);
        k_->hamming(qb.data(), &bits_[i * words_], nb, words_, d);
        for (size_t j = 0; j < nb; j++) {
          const float s = -static_cast<float>(d[j]);  // fewer differing signs is better
          if (!t->Rejects(s)) t->Push(s, i + j);
        }
      }
    }, &coarse);
    if (!done) return aborted;
    for (const Hit& h : coarse.Sorted()) ScanExact(q.data(), qi.data(), qscale, h.row, h.row + 1, &top);
  }
  const std::vector<Hit> hits = top.Sorted();
  ids->resize(hits.size());
  scores->resize(hits.size());
  for (size_t i = 0; i < hits.size(); i++) {
    (*ids)[i] = ids_[hits[i].row];
    (*scores)[i] = hits[i].score;
  }
  return Status::Ok();
}

Bandwidth Gallery::StreamRead(unsigned repeats) const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  struct Piece {
    const uint8_t* p;
    size_t len;
  };
  const Piece segs[2] = {{base_, base_n_ * row_bytes_}, {tail_.data(), tail_.size()}};
  const size_t chunks0 = (segs[0].len + kChunkBytes - 1) / kChunkBytes;
  const size_t chunks = chunks0 + (segs[1].len + kChunkBytes - 1) / kChunkBytes;
  Bandwidth bw;
  std::atomic<uint64_t> sum{0};
  const auto t0 = std::chrono::steady_clock::now();
  for (unsigned rep = 0; rep < repeats; rep++) {
    std::atomic<size_t> next{0};
    const std::function<void()> body = [&] {
      uint64_t local = 0;
      for (;;) {
        const size_t c = next.fetch_add(1, std::memory_order_relaxed);
        if (c >= chunks) break;
        const Piece& s = c < chunks0 ? segs[0] : segs[1];
        const size_t off = (c < chunks0 ? c : c - chunks0) * kChunkBytes;
        const size_t len = std::min(kChunkBytes, s.len - off);
        const size_t bulk = len & ~size_t{63};
        local += k_->stream_sum(s.p + off, bulk);
        for (size_t i = bulk; i < len; i++) local += s.p[off + i];
      }
      sum.fetch_add(local, std::memory_order_relaxed);
    };
    pool_->Run(chunks > 1 ? pool_->threads() - 1 : 0, body);
  }
  const auto t1 = std::chrono::steady_clock::now();
  bw.bytes = uint64_t{repeats} * (segs[0].len + segs[1].len);
  bw.seconds = std::chrono::duration<double>(t1 - t0).count();
  bw.checksum = sum.load();
  return bw;
}

Status Gallery::Save(const std::string& path) const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  const Layout l = ComputeLayout(o_.dim, o_.dtype, o_.metric, Count());
  const std::string tmp = path + ".tmp";
  const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Io("gallery file create");
  uint8_t head[kHeaderSize];
  WriteHeader(l, head);
  static const uint8_t kZeros[64] = {};
  const uint64_t ids_end = l.ids_offset + 8 * l.count;
  const uint64_t vec_end = l.vectors_offset + l.count * row_bytes_;
  bool ok = WriteAll(fd, head, kHeaderSize) && WriteAll(fd, ids_.data(), ids_.size() * 8) &&
            WriteAll(fd, kZeros, static_cast<size_t>(l.vectors_offset - ids_end)) &&
            WriteAll(fd, base_, base_n_ * row_bytes_) && WriteAll(fd, tail_.data(), tail_.size());
  if (ok && o_.dtype == DType::kI8) {
    ok = WriteAll(fd, kZeros, static_cast<size_t>(l.scales_offset - vec_end)) && WriteAll(fd, scales_.data(), scales_.size() * 4);
  }
  ok = ok && fsync(fd) == 0;
  Status s = ok ? Status::Ok() : Io("gallery file write");
  close(fd);
  if (ok && rename(tmp.c_str(), path.c_str()) != 0) s = Io("gallery file rename");
  if (!s.ok()) unlink(tmp.c_str());
  return s;
}

}  // namespace matcher
