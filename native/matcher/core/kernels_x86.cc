// x86-64 kernels: AVX2+FMA and AVX-512 (F, BW, and VNNI when present). Each function carries
// its own target attribute, so this file compiles with the baseline flags and the CPU is
// asked at run time (__builtin_cpu_supports) before a table is handed out.
// Four rows are scored per pass: their accumulators are independent dependency chains, which
// hides the FMA latency without changing the per-row summation order of kernels.h.
#include "kernels.h"

#if defined(__x86_64__)
// GCC 12's AVX-512 headers build "undefined" registers as `__m256i __Y = __Y;`, which
// -Wmaybe-uninitialized reports at every inlined use; the values are don't-cares by design.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
#include <immintrin.h>

#define MATCHER_AVX2 __attribute__((target("avx2,fma,popcnt")))
#define MATCHER_AVX512 __attribute__((target("avx512f,avx512bw,avx2,fma,popcnt")))
#define MATCHER_VNNI __attribute__((target("avx512f,avx512bw,avx512vnni,avx2,fma,popcnt")))

namespace matcher {
namespace {

// ---- AVX2 + FMA ----

MATCHER_AVX2 inline float ReduceAvx2(__m256 lo, __m256 hi) {
  __m256 s8 = _mm256_add_ps(lo, hi);                                            // l[j] + l[j+8]
  __m128 s4 = _mm_add_ps(_mm256_castps256_ps128(s8), _mm256_extractf128_ps(s8, 1));  // + j+4
  __m128 s2 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));                             // + j+2
  __m128 s1 = _mm_add_ss(s2, _mm_shuffle_ps(s2, s2, 1));                         // + j+1
  return _mm_cvtss_f32(s1);
}

// Four rows' lanes folded to 4 each (j+8, j+4), then a 4x4 transpose adds j+2 and j+1.
MATCHER_AVX2 inline __m128 Fold4Avx2(__m256 lo, __m256 hi) {
  __m256 s8 = _mm256_add_ps(lo, hi);
  return _mm_add_ps(_mm256_castps256_ps128(s8), _mm256_extractf128_ps(s8, 1));
}

MATCHER_AVX2 inline __m128 Transpose4Sum(__m128 x0, __m128 x1, __m128 x2, __m128 x3) {
  const __m128 u01 = _mm_add_ps(_mm_unpacklo_ps(x0, x1), _mm_unpackhi_ps(x0, x1));
  const __m128 u23 = _mm_add_ps(_mm_unpacklo_ps(x2, x3), _mm_unpackhi_ps(x2, x3));
  return _mm_add_ps(_mm_movelh_ps(u01, u23), _mm_movehl_ps(u23, u01));
}

MATCHER_AVX2 void DotF32Avx2(const float* q, const float* rows, size_t n, size_t dim, float* out) {
  size_t r = 0;
  for (; r + 4 <= n; r += 4) {
    const float* v = rows + r * dim;
    __m256 lo[4], hi[4];
    for (int k = 0; k < 4; k++) lo[k] = hi[k] = _mm256_setzero_ps();
    for (size_t i = 0; i < dim; i += kLanes) {
      __m256 qa = _mm256_loadu_ps(q + i), qb = _mm256_loadu_ps(q + i + 8);
      for (size_t k = 0; k < 4; k++) {
        lo[k] = _mm256_fmadd_ps(qa, _mm256_loadu_ps(v + k * dim + i), lo[k]);
        hi[k] = _mm256_fmadd_ps(qb, _mm256_loadu_ps(v + k * dim + i + 8), hi[k]);
      }
    }
    _mm_storeu_ps(out + r, Transpose4Sum(Fold4Avx2(lo[0], hi[0]), Fold4Avx2(lo[1], hi[1]), Fold4Avx2(lo[2], hi[2]),
                                         Fold4Avx2(lo[3], hi[3])));
  }
  for (; r < n; r++) {
    const float* v = rows + r * dim;
    __m256 lo = _mm256_setzero_ps(), hi = _mm256_setzero_ps();
    for (size_t i = 0; i < dim; i += kLanes) {
      lo = _mm256_fmadd_ps(_mm256_loadu_ps(q + i), _mm256_loadu_ps(v + i), lo);
      hi = _mm256_fmadd_ps(_mm256_loadu_ps(q + i + 8), _mm256_loadu_ps(v + i + 8), hi);
    }
    out[r] = ReduceAvx2(lo, hi);
  }
}

MATCHER_AVX2 inline int32_t HsumEpi32Avx2(__m256i v) {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
  return _mm_cvtsi128_si32(s);
}

// Sign-extend to 16 bits and multiply-add pairs (vpmaddwd): exact for every int8 value,
// unlike vpmaddubsw, which saturates.
MATCHER_AVX2 void DotI8Avx2(const int8_t* q, const int8_t* rows, size_t n, size_t dim, int32_t* out) {
  size_t r = 0;
  for (; r + 4 <= n; r += 4) {
    const int8_t* v = rows + r * dim;
    __m256i acc[4];
    for (int k = 0; k < 4; k++) acc[k] = _mm256_setzero_si256();
    for (size_t i = 0; i < dim; i += 16) {
      __m256i qw = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(q + i)));
      for (size_t k = 0; k < 4; k++) {
        __m256i vw = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(v + k * dim + i)));
        acc[k] = _mm256_add_epi32(acc[k], _mm256_madd_epi16(qw, vw));
      }
    }
    const __m256i b01 = _mm256_hadd_epi32(acc[0], acc[1]), b23 = _mm256_hadd_epi32(acc[2], acc[3]);
    const __m256i c = _mm256_hadd_epi32(b01, b23);  // per 128-bit half: row 0..3 partial sums
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + r),
                     _mm_add_epi32(_mm256_castsi256_si128(c), _mm256_extracti128_si256(c, 1)));
  }
  for (; r < n; r++) {
    const int8_t* v = rows + r * dim;
    __m256i acc = _mm256_setzero_si256();
    for (size_t i = 0; i < dim; i += 16) {
      __m256i qw = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(q + i)));
      __m256i vw = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(v + i)));
      acc = _mm256_add_epi32(acc, _mm256_madd_epi16(qw, vw));
    }
    out[r] = HsumEpi32Avx2(acc);
  }
}

MATCHER_AVX2 void HammingPopcnt(const uint64_t* q, const uint64_t* rows, size_t n, size_t words, uint32_t* out) {
  for (size_t r = 0; r < n; r++) {
    const uint64_t* v = rows + r * words;
    uint64_t d = 0;
    for (size_t w = 0; w < words; w++) d += static_cast<uint64_t>(__builtin_popcountll(q[w] ^ v[w]));
    out[r] = static_cast<uint32_t>(d);
  }
}

MATCHER_AVX2 uint64_t StreamSumAvx2(const uint8_t* p, size_t bytes) {
  __m256i a = _mm256_setzero_si256(), b = _mm256_setzero_si256();
  for (size_t i = 0; i < bytes; i += 64) {
    a = _mm256_add_epi64(a, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i)));
    b = _mm256_add_epi64(b, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i + 32)));
  }
  a = _mm256_add_epi64(a, b);
  alignas(32) uint64_t l[4];
  _mm256_store_si256(reinterpret_cast<__m256i*>(l), a);
  return l[0] + l[1] + l[2] + l[3];
}

// ---- AVX-512 ----

MATCHER_AVX512 inline float ReduceAvx512(__m512 v) {
  __m256 s8 = _mm256_add_ps(_mm512_castps512_ps256(v),
                            _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));  // l[j] + l[j+8]
  __m128 s4 = _mm_add_ps(_mm256_castps256_ps128(s8), _mm256_extractf128_ps(s8, 1));
  __m128 s2 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));
  __m128 s1 = _mm_add_ss(s2, _mm_shuffle_ps(s2, s2, 1));
  return _mm_cvtss_f32(s1);
}

// Four rows at once, still in the canonical order: each row's 16 lanes fold to 4 (j+8, then
// j+4), then a 4x4 transpose adds j+2 and j+1 for all four rows together.
MATCHER_AVX512 inline __m128 Fold4(__m512 v) {
  __m256 s8 = _mm256_add_ps(_mm512_castps512_ps256(v), _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));
  return _mm_add_ps(_mm256_castps256_ps128(s8), _mm256_extractf128_ps(s8, 1));
}

MATCHER_AVX512 inline __m128 Reduce4Rows(__m512 a0, __m512 a1, __m512 a2, __m512 a3) {
  const __m128 x0 = Fold4(a0), x1 = Fold4(a1), x2 = Fold4(a2), x3 = Fold4(a3);
  const __m128 u01 = _mm_add_ps(_mm_unpacklo_ps(x0, x1), _mm_unpackhi_ps(x0, x1));  // [0:p0+p2, 1:p0+p2, 0:p1+p3, 1:p1+p3]
  const __m128 u23 = _mm_add_ps(_mm_unpacklo_ps(x2, x3), _mm_unpackhi_ps(x2, x3));
  return _mm_add_ps(_mm_movelh_ps(u01, u23), _mm_movehl_ps(u23, u01));
}

MATCHER_AVX512 void DotF32Avx512(const float* q, const float* rows, size_t n, size_t dim, float* out) {
  size_t r = 0;
  for (; r + 4 <= n; r += 4) {
    const float* v = rows + r * dim;
    __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps(), acc2 = _mm512_setzero_ps(),
           acc3 = _mm512_setzero_ps();
    for (size_t i = 0; i < dim; i += kLanes) {
      __m512 qv = _mm512_loadu_ps(q + i);
      acc0 = _mm512_fmadd_ps(qv, _mm512_loadu_ps(v + i), acc0);
      acc1 = _mm512_fmadd_ps(qv, _mm512_loadu_ps(v + dim + i), acc1);
      acc2 = _mm512_fmadd_ps(qv, _mm512_loadu_ps(v + 2 * dim + i), acc2);
      acc3 = _mm512_fmadd_ps(qv, _mm512_loadu_ps(v + 3 * dim + i), acc3);
    }
    _mm_storeu_ps(out + r, Reduce4Rows(acc0, acc1, acc2, acc3));
  }
  for (; r < n; r++) {
    const float* v = rows + r * dim;
    __m512 acc = _mm512_setzero_ps();
    for (size_t i = 0; i < dim; i += kLanes) acc = _mm512_fmadd_ps(_mm512_loadu_ps(q + i), _mm512_loadu_ps(v + i), acc);
    out[r] = ReduceAvx512(acc);
  }
}

// The mask that loads the bytes [i, dim) of a 64-byte step (dim is a multiple of 16).
MATCHER_AVX512 inline __mmask64 TailMask(size_t i, size_t dim) {
  size_t left = dim - i;
  return left >= 64 ? ~__mmask64{0} : ((__mmask64{1} << left) - 1);
}

MATCHER_AVX512 void DotI8Avx512(const int8_t* q, const int8_t* rows, size_t n, size_t dim, int32_t* out) {
  for (size_t r = 0; r < n; r++) {
    const int8_t* v = rows + r * dim;
    __m512i acc = _mm512_setzero_si512();
    for (size_t i = 0; i < dim; i += 32) {
      // dim % 16 == 0: a step is 32 or (at the end) 16 bytes.
      if (dim - i >= 32) {
        __m512i qw = _mm512_cvtepi8_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(q + i)));
        __m512i vw = _mm512_cvtepi8_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(v + i)));
        acc = _mm512_add_epi32(acc, _mm512_madd_epi16(qw, vw));
      } else {
        __m256i qw = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(q + i)));
        __m256i vw = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(v + i)));
        acc = _mm512_add_epi32(acc, _mm512_castsi256_si512(_mm256_madd_epi16(qw, vw)));
      }
    }
    out[r] = _mm512_reduce_add_epi32(acc);
  }
}

// Sums of four int32x16 accumulators as one int32x4 (integer addition: any order is exact).
MATCHER_AVX512 inline __m128i Sum4Rows(__m512i a0, __m512i a1, __m512i a2, __m512i a3) {
  const __m512i b01 = _mm512_add_epi32(_mm512_unpacklo_epi32(a0, a1), _mm512_unpackhi_epi32(a0, a1));
  const __m512i b23 = _mm512_add_epi32(_mm512_unpacklo_epi32(a2, a3), _mm512_unpackhi_epi32(a2, a3));
  const __m512i c = _mm512_add_epi32(_mm512_unpacklo_epi64(b01, b23), _mm512_unpackhi_epi64(b01, b23));
  const __m256i d = _mm256_add_epi32(_mm512_castsi512_si256(c), _mm512_extracti64x4_epi64(c, 1));
  return _mm_add_epi32(_mm256_castsi256_si128(d), _mm256_extracti128_si256(d, 1));
}

// VNNI: vpdpbusd multiplies unsigned by signed bytes. The row is made unsigned by flipping
// its sign bit (v ^ 0x80 == v + 128), so the sum is <q, v> + 128 * sum(q), and the constant
// is taken off at the end. Every step is exact in 32 bits (|sum| <= 4096 * 255 * 128).
MATCHER_VNNI void DotI8Vnni(const int8_t* q, const int8_t* rows, size_t n, size_t dim, int32_t* out) {
  const __m512i flip = _mm512_set1_epi8(static_cast<char>(0x80));
  const __m512i ones = _mm512_set1_epi8(1);
  __m512i qsum = _mm512_setzero_si512();
  for (size_t i = 0; i < dim; i += 64) {
    __m512i qv = _mm512_maskz_loadu_epi8(TailMask(i, dim), q + i);
    qsum = _mm512_dpbusd_epi32(qsum, ones, qv);
  }
  const int32_t bias = 128 * _mm512_reduce_add_epi32(qsum);
  size_t r = 0;
  for (; r + 4 <= n; r += 4) {
    const int8_t* v = rows + r * dim;
    __m512i a0 = _mm512_setzero_si512(), a1 = _mm512_setzero_si512(), a2 = _mm512_setzero_si512(),
            a3 = _mm512_setzero_si512();
    size_t i = 0;
    for (; i + 64 <= dim; i += 64) {
      __m512i qv = _mm512_loadu_si512(q + i);
      a0 = _mm512_dpbusd_epi32(a0, _mm512_xor_si512(_mm512_loadu_si512(v + i), flip), qv);
      a1 = _mm512_dpbusd_epi32(a1, _mm512_xor_si512(_mm512_loadu_si512(v + dim + i), flip), qv);
      a2 = _mm512_dpbusd_epi32(a2, _mm512_xor_si512(_mm512_loadu_si512(v + 2 * dim + i), flip), qv);
      a3 = _mm512_dpbusd_epi32(a3, _mm512_xor_si512(_mm512_loadu_si512(v + 3 * dim + i), flip), qv);
    }
    if (i < dim) {
      const __mmask64 m = TailMask(i, dim);
      __m512i qv = _mm512_maskz_loadu_epi8(m, q + i);
      // Masked-off bytes load as 0 in q, so the flipped 0x80 of the row meets a zero there.
      a0 = _mm512_dpbusd_epi32(a0, _mm512_xor_si512(_mm512_maskz_loadu_epi8(m, v + i), flip), qv);
      a1 = _mm512_dpbusd_epi32(a1, _mm512_xor_si512(_mm512_maskz_loadu_epi8(m, v + dim + i), flip), qv);
      a2 = _mm512_dpbusd_epi32(a2, _mm512_xor_si512(_mm512_maskz_loadu_epi8(m, v + 2 * dim + i), flip), qv);
      a3 = _mm512_dpbusd_epi32(a3, _mm512_xor_si512(_mm512_maskz_loadu_epi8(m, v + 3 * dim + i), flip), qv);
    }
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + r), _mm_sub_epi32(Sum4Rows(a0, a1, a2, a3), _mm_set1_epi32(bias)));
  }
  for (; r < n; r++) {
    const int8_t* v = rows + r * dim;
    __m512i a = _mm512_setzero_si512();
    for (size_t i = 0; i < dim; i += 64) {
      const __mmask64 m = TailMask(i, dim);
      a = _mm512_dpbusd_epi32(a, _mm512_xor_si512(_mm512_maskz_loadu_epi8(m, v + i), flip), _mm512_maskz_loadu_epi8(m, q + i));
    }
    out[r] = _mm512_reduce_add_epi32(a) - bias;
  }
}

MATCHER_AVX512 uint64_t StreamSumAvx512(const uint8_t* p, size_t bytes) {
  __m512i a = _mm512_setzero_si512(), b = _mm512_setzero_si512();
  size_t i = 0;
  for (; i + 128 <= bytes; i += 128) {
    a = _mm512_add_epi64(a, _mm512_loadu_si512(p + i));
    b = _mm512_add_epi64(b, _mm512_loadu_si512(p + i + 64));
  }
  if (i < bytes) a = _mm512_add_epi64(a, _mm512_loadu_si512(p + i));
  return static_cast<uint64_t>(_mm512_reduce_add_epi64(_mm512_add_epi64(a, b)));
}

const KernelSet kAvx2 = {"avx2", DotF32Avx2, DotI8Avx2, HammingPopcnt, StreamSumAvx2};
const KernelSet kAvx512 = {"avx512", DotF32Avx512, DotI8Avx512, HammingPopcnt, StreamSumAvx512};
const KernelSet kAvx512Vnni = {"avx512-vnni", DotF32Avx512, DotI8Vnni, HammingPopcnt, StreamSumAvx512};

}  // namespace

const KernelSet* Avx2Kernels() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("popcnt") ? &kAvx2
                                                                                                          : nullptr;
}

const KernelSet* Avx512Kernels(bool vnni) {
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx512f") || !__builtin_cpu_supports("avx512bw") || !__builtin_cpu_supports("avx2") ||
      !__builtin_cpu_supports("fma") || !__builtin_cpu_supports("popcnt")) {
    return nullptr;
  }
  if (!vnni) return &kAvx512;
  return __builtin_cpu_supports("avx512vnni") ? &kAvx512Vnni : nullptr;
}

}  // namespace matcher

#else

namespace matcher {
const KernelSet* Avx2Kernels() { return nullptr; }
const KernelSet* Avx512Kernels(bool) { return nullptr; }
}  // namespace matcher

#endif
