// A 1:N face gallery: ids and embeddings, held in memory or memory-mapped from a gallery
// file (format.h), searched exhaustively with the kernels of kernels.h on the gallery's own
// thread pool.
//
// Storage: ids, int8 scales and sign bits live in owned arrays indexed by row; the vectors
// live in two segments, a base (the file's mapping, copy-on-write, or empty) and an owned
// tail that grows on add. Removal is swap-remove: the last row moves into the hole, the id
// map follows, so rows stay dense and a scan never meets a tombstone. A write into the
// mapped base only copies the touched page; the file on disk changes only through Save.
//
// Concurrency: searches and save share a reader lock and run in parallel; add and remove
// take the writer lock, so a search always sees a consistent set of rows.
#pragma once
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "format.h"
#include "kernels.h"
#include "pool.h"
#include "status.h"
#include "store.h"
#include "topk.h"

namespace matcher {

struct Options {
  uint32_t dim = 128;
  DType dtype = DType::kF32;
  Metric metric = Metric::kCosine;
  unsigned threads = 0;   // 0: one per hardware thread
  Level level = Level::kAuto;
  bool binary = false;    // keep sign bits for the Hamming prefilter
};

struct SearchParams {
  size_t k = 10;
  size_t candidates = 0;  // > 0: Hamming prefilter keeps this many rows, then exact rerank
  // Polled between work items (about 1 MiB of vectors each); non-zero abandons the search
  // with E_ABORTED. Written by another thread, hence read with an atomic load.
  const int32_t* cancel = nullptr;
};

struct Bandwidth {
  uint64_t bytes = 0;
  double seconds = 0;
  uint64_t checksum = 0;
};

class Gallery {
 public:
  static Status Create(const Options& o, std::unique_ptr<Gallery>* out);
  // Opens a gallery file; dim/dtype/metric come from the file, the rest from `o`.
  static Status Open(const std::string& path, bool map, const Options& o, std::unique_ptr<Gallery>* out);
  ~Gallery();
  Gallery(const Gallery&) = delete;
  Gallery& operator=(const Gallery&) = delete;

  // All or nothing: ids must be new and distinct, vectors finite (and non-zero for cosine).
  Status Add(const uint64_t* ids, const float* vectors, size_t n);
  size_t Remove(const uint64_t* ids, size_t n);
  bool Has(uint64_t id) const;
  size_t Size() const;
  Status Search(const float* probe, const SearchParams& p, std::vector<uint64_t>* ids, std::vector<float>* scores) const;
  Status Save(const std::string& path) const;
  // Streams once over the stored vectors with the same threads `repeats` times.
  Bandwidth StreamRead(unsigned repeats) const;

  const Options& options() const { return o_; }
  const char* kernel_name() const { return k_->name; }
  size_t row_bytes() const { return row_bytes_; }
  bool mapped() const { return map_ != nullptr; }

 private:
  Gallery(const Options& o, const KernelSet* k);
  const uint8_t* Row(size_t i) const { return i < base_n_ ? base_ + i * row_bytes_ : tail_.data() + (i - base_n_) * row_bytes_; }
  uint8_t* MutableRow(size_t i) { return i < base_n_ ? base_ + i * row_bytes_ : tail_.data() + (i - base_n_) * row_bytes_; }
  size_t Count() const { return ids_.size(); }
  void Encode(const float* v, uint8_t* row, float* scale, uint64_t* bits) const;
  void ScanExact(const float* qf, const int8_t* qi, float qscale, size_t first, size_t last, TopK* top) const;
  // False when cancelled through `cancel`.
  template <typename ScanFn>
  bool Parallel(size_t rows, size_t k, const int32_t* cancel, ScanFn scan, TopK* out) const;
  Status LoadRows(const uint8_t* ids, const uint8_t* scales, uint64_t count, bool mapped);

  Options o_;
  const KernelSet* k_;
  size_t row_bytes_;
  size_t words_;  // sign-bit words per row
  mutable std::shared_mutex mu_;
  mutable std::unique_ptr<Pool> pool_;

  uint8_t* base_ = nullptr;  // inside map_ when mapped
  size_t base_n_ = 0;
  void* map_ = nullptr;
  size_t map_len_ = 0;
  ByteStore tail_;
  std::vector<uint64_t> ids_;
  std::vector<float> scales_;
  std::vector<uint64_t> bits_;
  std::unordered_map<uint64_t, size_t> index_;
};

// Symmetric int8 quantisation: scale = max|x| / 127, q = round(x / scale) in [-127, 127].
float QuantizeI8(const float* x, size_t dim, int8_t* out);

}  // namespace matcher
