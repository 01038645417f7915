// Sixteen float lanes as one AVX-512 register or two AVX2 registers, so that a kernel's body is
// written once (activation_body.h, adamw_body.h) and compiled for both: the lanes are computed by the same
// operations either way, so the two variants give the same bits. Internal to CKernels.
#ifndef LECTERN_VECTOR16_H
#define LECTERN_VECTOR16_H

#include <immintrin.h>
#include <stdint.h>

#define AVX512_TARGET __attribute__((target("avx512f,avx512dq"), always_inline)) static inline
#define AVX2_TARGET __attribute__((target("avx2"), always_inline)) static inline

typedef __m512 v16_avx512;
AVX512_TARGET v16_avx512 load_avx512(const float *p) { return _mm512_loadu_ps(p); }
AVX512_TARGET void store_avx512(float *p, v16_avx512 v) { _mm512_storeu_ps(p, v); }
AVX512_TARGET v16_avx512 set1_avx512(float x) { return _mm512_set1_ps(x); }
AVX512_TARGET v16_avx512 add_avx512(v16_avx512 a, v16_avx512 b) { return _mm512_add_ps(a, b); }
AVX512_TARGET v16_avx512 sub_avx512(v16_avx512 a, v16_avx512 b) { return _mm512_sub_ps(a, b); }
AVX512_TARGET v16_avx512 mul_avx512(v16_avx512 a, v16_avx512 b) { return _mm512_mul_ps(a, b); }
AVX512_TARGET v16_avx512 div_avx512(v16_avx512 a, v16_avx512 b) { return _mm512_div_ps(a, b); }
AVX512_TARGET v16_avx512 sqrt_avx512(v16_avx512 a) { return _mm512_sqrt_ps(a); }
// a where a > b, else b: b where either is NaN (or both are zeros), as the instruction defines it.
AVX512_TARGET v16_avx512 max_avx512(v16_avx512 a, v16_avx512 b) { return _mm512_max_ps(a, b); }
// a where a < limit is false, else limit (a NaN stays NaN); and the same for a > limit.
AVX512_TARGET v16_avx512 raise_to_avx512(v16_avx512 a, float limit) {
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, _mm512_set1_ps(limit), _CMP_LT_OQ), a, _mm512_set1_ps(limit));
}
AVX512_TARGET v16_avx512 lower_to_avx512(v16_avx512 a, float limit) {
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, _mm512_set1_ps(limit), _CMP_GT_OQ), a, _mm512_set1_ps(limit));
}
AVX512_TARGET v16_avx512 and_bits_avx512(v16_avx512 a, uint32_t bits) {
    return _mm512_castsi512_ps(_mm512_and_si512(_mm512_castps_si512(a), _mm512_set1_epi32((int)bits)));
}
AVX512_TARGET v16_avx512 or_bits_avx512(v16_avx512 a, v16_avx512 b) {
    return _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(a), _mm512_castps_si512(b)));
}
// The float whose bits are (bits(a) − offset) << 23: 2ⁿ from the integer held in a's low mantissa bits.
AVX512_TARGET v16_avx512 exponent_avx512(v16_avx512 a, int32_t offset) {
    __m512i bits = _mm512_sub_epi32(_mm512_castps_si512(a), _mm512_set1_epi32(offset));
    return _mm512_castsi512_ps(_mm512_slli_epi32(bits, 23));
}
AVX512_TARGET void lanes_avx512(v16_avx512 v, float *out) { _mm512_storeu_ps(out, v); }

typedef struct { __m256 low, high; } v16_avx2;
AVX2_TARGET v16_avx2 load_avx2(const float *p) { return (v16_avx2){_mm256_loadu_ps(p), _mm256_loadu_ps(p + 8)}; }
AVX2_TARGET void store_avx2(float *p, v16_avx2 v) { _mm256_storeu_ps(p, v.low); _mm256_storeu_ps(p + 8, v.high); }
AVX2_TARGET v16_avx2 set1_avx2(float x) { return (v16_avx2){_mm256_set1_ps(x), _mm256_set1_ps(x)}; }
AVX2_TARGET v16_avx2 add_avx2(v16_avx2 a, v16_avx2 b) { return (v16_avx2){_mm256_add_ps(a.low, b.low), _mm256_add_ps(a.high, b.high)}; }
AVX2_TARGET v16_avx2 sub_avx2(v16_avx2 a, v16_avx2 b) { return (v16_avx2){_mm256_sub_ps(a.low, b.low), _mm256_sub_ps(a.high, b.high)}; }
AVX2_TARGET v16_avx2 mul_avx2(v16_avx2 a, v16_avx2 b) { return (v16_avx2){_mm256_mul_ps(a.low, b.low), _mm256_mul_ps(a.high, b.high)}; }
AVX2_TARGET v16_avx2 div_avx2(v16_avx2 a, v16_avx2 b) { return (v16_avx2){_mm256_div_ps(a.low, b.low), _mm256_div_ps(a.high, b.high)}; }
AVX2_TARGET v16_avx2 sqrt_avx2(v16_avx2 a) { return (v16_avx2){_mm256_sqrt_ps(a.low), _mm256_sqrt_ps(a.high)}; }
AVX2_TARGET v16_avx2 max_avx2(v16_avx2 a, v16_avx2 b) { return (v16_avx2){_mm256_max_ps(a.low, b.low), _mm256_max_ps(a.high, b.high)}; }
AVX2_TARGET __m256 raise_to_half_avx2(__m256 a, float limit) {
    __m256 l = _mm256_set1_ps(limit);
    return _mm256_blendv_ps(a, l, _mm256_cmp_ps(a, l, _CMP_LT_OQ));
}
AVX2_TARGET __m256 lower_to_half_avx2(__m256 a, float limit) {
    __m256 l = _mm256_set1_ps(limit);
    return _mm256_blendv_ps(a, l, _mm256_cmp_ps(a, l, _CMP_GT_OQ));
}
AVX2_TARGET v16_avx2 raise_to_avx2(v16_avx2 a, float limit) { return (v16_avx2){raise_to_half_avx2(a.low, limit), raise_to_half_avx2(a.high, limit)}; }
AVX2_TARGET v16_avx2 lower_to_avx2(v16_avx2 a, float limit) { return (v16_avx2){lower_to_half_avx2(a.low, limit), lower_to_half_avx2(a.high, limit)}; }
AVX2_TARGET __m256 and_bits_half_avx2(__m256 a, uint32_t bits) {
    return _mm256_castsi256_ps(_mm256_and_si256(_mm256_castps_si256(a), _mm256_set1_epi32((int)bits)));
}
AVX2_TARGET v16_avx2 and_bits_avx2(v16_avx2 a, uint32_t bits) { return (v16_avx2){and_bits_half_avx2(a.low, bits), and_bits_half_avx2(a.high, bits)}; }
AVX2_TARGET __m256 or_bits_half_avx2(__m256 a, __m256 b) {
    return _mm256_castsi256_ps(_mm256_or_si256(_mm256_castps_si256(a), _mm256_castps_si256(b)));
}
AVX2_TARGET v16_avx2 or_bits_avx2(v16_avx2 a, v16_avx2 b) { return (v16_avx2){or_bits_half_avx2(a.low, b.low), or_bits_half_avx2(a.high, b.high)}; }
AVX2_TARGET __m256 exponent_half_avx2(__m256 a, int32_t offset) {
    __m256i bits = _mm256_sub_epi32(_mm256_castps_si256(a), _mm256_set1_epi32(offset));
    return _mm256_castsi256_ps(_mm256_slli_epi32(bits, 23));
}
AVX2_TARGET v16_avx2 exponent_avx2(v16_avx2 a, int32_t offset) { return (v16_avx2){exponent_half_avx2(a.low, offset), exponent_half_avx2(a.high, offset)}; }
AVX2_TARGET void lanes_avx2(v16_avx2 v, float *out) { _mm256_storeu_ps(out, v.low); _mm256_storeu_ps(out + 8, v.high); }

#endif
