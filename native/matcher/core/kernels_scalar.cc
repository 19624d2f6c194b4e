// Portable reference kernels: the canonical 16-lane order of kernels.h written out in plain
// C++. std::fma rounds once like the SIMD fused multiply-adds, so scores match exactly.
#include <cmath>
#include <cstring>

#include "kernels.h"

namespace matcher {
namespace {

void DotF32(const float* q, const float* rows, size_t n, size_t dim, float* out) {
  for (size_t r = 0; r < n; r++) {
    const float* v = rows + r * dim;
    float l[kLanes] = {};
    for (size_t i = 0; i < dim; i += kLanes) {
      for (size_t j = 0; j < kLanes; j++) l[j] = std::fma(q[i + j], v[i + j], l[j]);
    }
    out[r] = ReduceLanes(l);
  }
}

void DotI8(const int8_t* q, const int8_t* rows, size_t n, size_t dim, int32_t* out) {
  for (size_t r = 0; r < n; r++) {
    const int8_t* v = rows + r * dim;
    int32_t s = 0;
    for (size_t i = 0; i < dim; i++) s += int32_t{q[i]} * int32_t{v[i]};
    out[r] = s;
  }
}

uint32_t Popcount64(uint64_t x) {
  // SWAR popcount: the scalar table must not assume the POPCNT instruction.
  x = x - ((x >> 1) & 0x5555555555555555ULL);
  x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
  x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
  return static_cast<uint32_t>((x * 0x0101010101010101ULL) >> 56);
}

void Hamming(const uint64_t* q, const uint64_t* rows, size_t n, size_t words, uint32_t* out) {
  for (size_t r = 0; r < n; r++) {
    const uint64_t* v = rows + r * words;
    uint32_t d = 0;
    for (size_t w = 0; w < words; w++) d += Popcount64(q[w] ^ v[w]);
    out[r] = d;
  }
}

uint64_t StreamSum(const uint8_t* p, size_t bytes) {
  uint64_t acc[8] = {};
  for (size_t i = 0; i < bytes; i += 64) {
    for (size_t j = 0; j < 8; j++) {
      uint64_t w;
      std::memcpy(&w, p + i + j * 8, 8);
      acc[j] += w;
    }
  }
  uint64_t s = 0;
  for (uint64_t a : acc) s += a;
  return s;
}

const KernelSet kScalar = {"scalar", DotF32, DotI8, Hamming, StreamSum};

}  // namespace

const KernelSet& ScalarKernels() { return kScalar; }

const KernelSet* SelectKernels(Level level) {
  switch (level) {
    case Level::kScalar:
      return &kScalar;
    case Level::kAvx2:
      return Avx2Kernels();
    case Level::kAvx512:
      return Avx512Kernels(false);
    case Level::kAvx512Vnni:
      return Avx512Kernels(true);
    case Level::kNeon:
      return NeonKernels();
    case Level::kAuto:
      break;
  }
  if (const KernelSet* k = Avx512Kernels(true)) return k;
  if (const KernelSet* k = Avx512Kernels(false)) return k;
  if (const KernelSet* k = Avx2Kernels()) return k;
  if (const KernelSet* k = NeonKernels()) return k;
  return &kScalar;
}

}  // namespace matcher
