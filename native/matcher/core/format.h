// The gallery file, version 1 (all integers little-endian):
//
//   offset size  field
//   0      8     magic "KGALLERY"
//   8      4     version = 1
//   12     4     header size = 64
//   16     4     dim: 16..4096, a multiple of 16
//   20     4     dtype: 1 = float32, 2 = int8 (symmetric, one float32 scale per vector)
//   24     4     metric: 1 = cosine (vectors stored L2-normalised), 2 = inner product
//   28     4     flags = 0 (reserved)
//   32     8     count of vectors
//   40     8     offset of the ids: 64; count x uint64
//   48     8     offset of the vectors: the ids' end rounded up to 64; count x dim x elem
//   56     8     offset of the scales (int8 only, else 0): the vectors' end rounded up to 64
//   ...          the file ends exactly where the last section ends
//
// Every offset is fixed by the fields before it, so a reader recomputes the layout and
// demands equality rather than trusting offsets; the file size must match to the byte.
// 64-byte alignment puts each section on a cache line (and, in a mapping, each vector of
// a 16-multiple dim on a 64-byte boundary for float32). Reading is strict because a gallery
// file may come from elsewhere (a back-office export): see ParseHeader.
#pragma once
#include <cstddef>
#include <cstdint>

#include "status.h"

namespace matcher {

enum class DType : uint32_t { kF32 = 1, kI8 = 2 };
enum class Metric : uint32_t { kCosine = 1, kInnerProduct = 2 };

constexpr char kMagic[8] = {'K', 'G', 'A', 'L', 'L', 'E', 'R', 'Y'};
constexpr uint32_t kVersion = 1;
constexpr uint32_t kHeaderSize = 64;
constexpr uint32_t kMinDim = 16;
constexpr uint32_t kMaxDim = 4096;
// Bounds the id map and every size computation well inside 64 bits (and inside what one
// kiosk or back-office node can hold); a header claiming more is refused before any use.
constexpr uint64_t kMaxCount = uint64_t{1} << 32;

struct Layout {
  uint32_t dim = 0;
  DType dtype = DType::kF32;
  Metric metric = Metric::kCosine;
  uint64_t count = 0;
  uint64_t ids_offset = 0;
  uint64_t vectors_offset = 0;
  uint64_t scales_offset = 0;
  uint64_t file_size = 0;
};

inline size_t ElemSize(DType t) { return t == DType::kF32 ? 4 : 1; }
bool ValidDim(uint64_t dim);

// The canonical layout for a header's fields (count <= kMaxCount, valid dim).
Layout ComputeLayout(uint32_t dim, DType dtype, Metric metric, uint64_t count);

// Validates the first `avail` bytes of a file of `file_size` bytes as a header; fills `out`.
Status ParseHeader(const uint8_t* bytes, size_t avail, uint64_t file_size, Layout* out);

void WriteHeader(const Layout& l, uint8_t out[kHeaderSize]);

}  // namespace matcher
