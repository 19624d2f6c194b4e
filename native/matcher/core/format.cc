#include "format.h"

#include <cstring>
#include <string>

namespace matcher {
namespace {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the gallery file is little-endian");

uint64_t Align64(uint64_t x) { return (x + 63) & ~uint64_t{63}; }

uint32_t U32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

uint64_t U64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

Status Bad(const std::string& field, const std::string& what) {
  return Status::Error("E_FORMAT", "gallery file " + field + ": " + what);
}

}  // namespace

bool ValidDim(uint64_t dim) { return dim >= kMinDim && dim <= kMaxDim && dim % 16 == 0; }

Layout ComputeLayout(uint32_t dim, DType dtype, Metric metric, uint64_t count) {
  Layout l;
  l.dim = dim;
  l.dtype = dtype;
  l.metric = metric;
  l.count = count;
  l.ids_offset = kHeaderSize;
  l.vectors_offset = Align64(l.ids_offset + 8 * count);
  uint64_t end = l.vectors_offset + count * dim * ElemSize(dtype);
  if (dtype == DType::kI8) {
    l.scales_offset = Align64(end);
    end = l.scales_offset + 4 * count;
  }
  l.file_size = end;
  return l;
}

Status ParseHeader(const uint8_t* b, size_t avail, uint64_t file_size, Layout* out) {
  if (avail < kHeaderSize || file_size < kHeaderSize) return Bad("header", "truncated (shorter than 64 bytes)");
  if (std::memcmp(b, kMagic, 8) != 0) return Bad("magic", "not a gallery file");
  if (U32(b + 8) != kVersion) return Bad("version", "unsupported version");
  if (U32(b + 12) != kHeaderSize) return Bad("header size", "must be 64");
  const uint32_t dim = U32(b + 16);
  if (!ValidDim(dim)) return Bad("dim", "must be a multiple of 16 in 16..4096");
  const uint32_t dtype = U32(b + 20);
  if (dtype != 1 && dtype != 2) return Bad("dtype", "unknown element type");
  const uint32_t metric = U32(b + 24);
  if (metric != 1 && metric != 2) return Bad("metric", "unknown metric");
  if (U32(b + 28) != 0) return Bad("flags", "reserved bits set");
  const uint64_t count = U64(b + 32);
  // Refuse before multiplying: each vector costs at least 8 (id) + dim bytes of file.
  if (count > kMaxCount) return Bad("count", "exceeds the supported maximum");
  if (count > file_size / (8 + uint64_t{dim})) return Bad("count", "larger than the file can hold");
  const Layout l = ComputeLayout(dim, static_cast<DType>(dtype), static_cast<Metric>(metric), count);
  if (U64(b + 40) != l.ids_offset) return Bad("ids offset", "not where the layout puts it");
  if (U64(b + 48) != l.vectors_offset) return Bad("vectors offset", "not where the layout puts it");
  if (U64(b + 56) != l.scales_offset) return Bad("scales offset", "not where the layout puts it");
  if (file_size < l.file_size) return Bad("size", "truncated");
  if (file_size > l.file_size) return Bad("size", "trailing bytes after the last section");
  *out = l;
  return Status::Ok();
}

void WriteHeader(const Layout& l, uint8_t out[kHeaderSize]) {
  std::memset(out, 0, kHeaderSize);
  std::memcpy(out, kMagic, 8);
  auto put32 = [&](size_t off, uint32_t v) { std::memcpy(out + off, &v, 4); };
  auto put64 = [&](size_t off, uint64_t v) { std::memcpy(out + off, &v, 8); };
  put32(8, kVersion);
  put32(12, kHeaderSize);
  put32(16, l.dim);
  put32(20, static_cast<uint32_t>(l.dtype));
  put32(24, static_cast<uint32_t>(l.metric));
  put32(28, 0);
  put64(32, l.count);
  put64(40, l.ids_offset);
  put64(48, l.vectors_offset);
  put64(56, l.scales_offset);
}

}  // namespace matcher
