// AArch64 kernels over baseline Advanced SIMD (NEON is mandatory in ARMv8-A, so no run-time
// check is needed). Four float32x4 registers hold the 16 canonical lanes of kernels.h.
#include "kernels.h"

#if defined(__aarch64__)
#include <arm_neon.h>

namespace matcher {
namespace {

inline float ReduceNeon(float32x4_t a0, float32x4_t a1, float32x4_t a2, float32x4_t a3) {
  float32x4_t b0 = vaddq_f32(a0, a2);                          // l[j] + l[j+8], j = 0..3
  float32x4_t b1 = vaddq_f32(a1, a3);                          // j = 4..7
  float32x4_t s4 = vaddq_f32(b0, b1);                          // + j+4
  float32x2_t s2 = vadd_f32(vget_low_f32(s4), vget_high_f32(s4));  // + j+2
  return vpadds_f32(s2);                                       // + j+1
}

void DotF32Neon(const float* q, const float* rows, size_t n, size_t dim, float* out) {
  for (size_t r = 0; r < n; r++) {
    const float* v = rows + r * dim;
    float32x4_t a0 = vdupq_n_f32(0), a1 = vdupq_n_f32(0), a2 = vdupq_n_f32(0), a3 = vdupq_n_f32(0);
    for (size_t i = 0; i < dim; i += kLanes) {
      a0 = vfmaq_f32(a0, vld1q_f32(q + i), vld1q_f32(v + i));
      a1 = vfmaq_f32(a1, vld1q_f32(q + i + 4), vld1q_f32(v + i + 4));
      a2 = vfmaq_f32(a2, vld1q_f32(q + i + 8), vld1q_f32(v + i + 8));
      a3 = vfmaq_f32(a3, vld1q_f32(q + i + 12), vld1q_f32(v + i + 12));
    }
    out[r] = ReduceNeon(a0, a1, a2, a3);
  }
}

// vmull_s8 widens to exact 16-bit products; vpadalq_s16 adds pairs into 32 bits.
void DotI8Neon(const int8_t* q, const int8_t* rows, size_t n, size_t dim, int32_t* out) {
  for (size_t r = 0; r < n; r++) {
    const int8_t* v = rows + r * dim;
    int32x4_t acc = vdupq_n_s32(0);
    for (size_t i = 0; i < dim; i += 16) {
      int8x16_t qv = vld1q_s8(q + i), vv = vld1q_s8(v + i);
      acc = vpadalq_s16(acc, vmull_s8(vget_low_s8(qv), vget_low_s8(vv)));
      acc = vpadalq_s16(acc, vmull_high_s8(qv, vv));
    }
    out[r] = vaddvq_s32(acc);
  }
}

void HammingNeon(const uint64_t* q, const uint64_t* rows, size_t n, size_t words, uint32_t* out) {
  for (size_t r = 0; r < n; r++) {
    const uint64_t* v = rows + r * words;
    uint32_t d = 0;
    size_t w = 0;
    for (; w + 2 <= words; w += 2) {
      // Byte loads: popcount works per byte anyway, and uint8_t* is the same type everywhere.
      uint8x16_t x = veorq_u8(vld1q_u8(reinterpret_cast<const uint8_t*>(q + w)), vld1q_u8(reinterpret_cast<const uint8_t*>(v + w)));
      d += vaddvq_u8(vcntq_u8(x));  // at most 128, fits the 8-bit sum
    }
    for (; w < words; w++) d += static_cast<uint32_t>(__builtin_popcountll(q[w] ^ v[w]));
    out[r] = d;
  }
}

uint64_t StreamSumNeon(const uint8_t* p, size_t bytes) {
  uint64x2_t a = vdupq_n_u64(0), b = vdupq_n_u64(0), c = vdupq_n_u64(0), d = vdupq_n_u64(0);
  for (size_t i = 0; i < bytes; i += 64) {
    a = vaddq_u64(a, vreinterpretq_u64_u8(vld1q_u8(p + i)));
    b = vaddq_u64(b, vreinterpretq_u64_u8(vld1q_u8(p + i + 16)));
    c = vaddq_u64(c, vreinterpretq_u64_u8(vld1q_u8(p + i + 32)));
    d = vaddq_u64(d, vreinterpretq_u64_u8(vld1q_u8(p + i + 48)));
  }
  return vaddvq_u64(vaddq_u64(vaddq_u64(a, b), vaddq_u64(c, d)));
}

const KernelSet kNeon = {"neon", DotF32Neon, DotI8Neon, HammingNeon, StreamSumNeon};

}  // namespace

const KernelSet* NeonKernels() { return &kNeon; }

}  // namespace matcher

#else

namespace matcher {
const KernelSet* NeonKernels() { return nullptr; }
}  // namespace matcher

#endif
