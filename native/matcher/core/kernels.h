// Scoring kernels of the face matcher. One table of function pointers per instruction set;
// the gallery picks a table once at construction (runtime dispatch) so a single binary serves
// every CPU of a family.
//
// Canonical summation order (why scalar and SIMD agree bit for bit on fp32): every kernel
// accumulates a dot product in 16 lanes, lane j taking elements j, j+16, j+32, ... with a
// fused multiply-add each, then reduces the lanes as l[j]+l[j+8] (j<8), then j+4, j+2, j+1.
// AVX-512 holds the 16 lanes in one register, AVX2 in two, NEON in four, the scalar path in
// an array with std::fma; the rounding of every step is the same, so the scores are
// identical. The int8 kernels accumulate exact integer dot products.
#pragma once
#include <cstddef>
#include <cstdint>

namespace matcher {

constexpr size_t kLanes = 16;  // dims must be a multiple of this

struct KernelSet {
  const char* name;
  // out[i] = <q, rows + i*dim> for i in [0, n); rows are contiguous, dim % 16 == 0.
  void (*dot_f32)(const float* q, const float* rows, size_t n, size_t dim, float* out);
  // Exact integer dot products of signed 8-bit vectors.
  void (*dot_i8)(const int8_t* q, const int8_t* rows, size_t n, size_t dim, int32_t* out);
  // Hamming distances between bit vectors of `words` 64-bit words.
  void (*hamming)(const uint64_t* q, const uint64_t* rows, size_t n, size_t words, uint32_t* out);
  // Reads every byte of [p, p+bytes) once (a streaming sum); the result only defeats
  // dead-code elimination. bytes % 64 == 0.
  uint64_t (*stream_sum)(const uint8_t* p, size_t bytes);
};

enum class Level { kAuto, kScalar, kAvx2, kAvx512, kAvx512Vnni, kNeon };

const KernelSet& ScalarKernels();
// nullptr when the instruction set is not compiled in or the CPU lacks it.
const KernelSet* Avx2Kernels();
// vnni: the table whose int8 kernel uses AVX512-VNNI (nullptr without it); false: F+BW only.
const KernelSet* Avx512Kernels(bool vnni);
const KernelSet* NeonKernels();

// The best available table for kAuto; nullptr when a forced level is unavailable.
const KernelSet* SelectKernels(Level level);

// The canonical lane reduction, shared by every path.
inline float ReduceLanes(float l[kLanes]) {
  for (size_t w = kLanes / 2; w >= 1; w /= 2) {
    for (size_t j = 0; j < w; j++) l[j] = l[j] + l[j + w];
  }
  return l[0];
}

}  // namespace matcher
