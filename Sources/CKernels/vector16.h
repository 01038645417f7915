// Sixteen float lanes as one AVX-512 register or two AVX2 registers, so that a kernel's body is
// written once (activation_body.h, adamw_body.h) and compiled for both: the lanes are computed by the same
// operations either way, so the two variants give the same bits. Internal to CKernels.
#ifndef LECTERN_VECTOR16_H
#define LECTERN_VECTOR16_H

#include <immintrin.h>
#include <math.h>
#include <stdint.h>

#define AVX512_TARGET __attribute__((target("avx512f,avx512dq"), always_inline)) static inline
#define AVX2_TARGET __attribute__((target("avx2,fma"), always_inline)) static inline

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
// The largest lane of a vector without NaNs (the order of comparisons then only picks a zero's sign).
AVX512_TARGET float largest_lane_avx512(v16_avx512 v) { return _mm512_reduce_max_ps(v); }

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
AVX2_TARGET float largest_lane_avx2(v16_avx2 v) {
    __m256 eight = _mm256_max_ps(v.low, v.high);
    __m128 four = _mm_max_ps(_mm256_castps256_ps128(eight), _mm256_extractf128_ps(eight, 1));
    __m128 two = _mm_max_ps(four, _mm_movehl_ps(four, four));
    return _mm_cvtss_f32(_mm_max_ss(two, _mm_movehdup_ps(two)));
}

// e^x with the bits of libm's expf as Debian 12's glibc (2.36) computes it on a CPU with FMA, for
// softmax's last values of a row (fewer than 16), which called libm before: 16 values at `x`, into
// `out`. One implementation for both variants (the AVX-512 kernels call it too): it runs only on a
// row's last values, where four doubles per register cost nothing that matters. The algorithm is glibc's: in double precision, x·32/ln2 = k + r (|r| ≤ ½, k an integer,
// rounded by adding 1.5·2⁵²), e^x = 2^(k/32) · 2^(r/32), the first from a table of 2^(i/32) with k's
// high bits added to the exponent, the second a cubic in r; the fused multiply-adds are where that
// build has them. Out of range: x > 88.72… gives +∞, x < −103.27… the smallest subnormal, x < −103.97…
// zero, NaN stays NaN. KernelTests checks it against libm bit for bit.
static const uint64_t expf_table[32] = {
    0x3ff0000000000000ull, 0x3fefd9b0d3158574ull, 0x3fefb5586cf9890full, 0x3fef9301d0125b51ull,
    0x3fef72b83c7d517bull, 0x3fef54873168b9aaull, 0x3fef387a6e756238ull, 0x3fef1e9df51fdee1ull,
    0x3fef06fe0a31b715ull, 0x3feef1a7373aa9cbull, 0x3feedea64c123422ull, 0x3feece086061892dull,
    0x3feebfdad5362a27ull, 0x3feeb42b569d4f82ull, 0x3feeab07dd485429ull, 0x3feea47eb03a5585ull,
    0x3feea09e667f3bcdull, 0x3fee9f75e8ec5f74ull, 0x3feea11473eb0187ull, 0x3feea589994cce13ull,
    0x3feeace5422aa0dbull, 0x3feeb737b0cdc5e5ull, 0x3feec49182a3f090ull, 0x3feed503b23e255dull,
    0x3feee89f995ad3adull, 0x3feeff76f2fb5e47ull, 0x3fef199bdd85529cull, 0x3fef3720dcef9069ull,
    0x3fef5818dcfba487ull, 0x3fef7c97337b9b5full, 0x3fefa4afa2a490daull, 0x3fefd0765b6e4540ull
};
static const double expf_inv_ln2_n = 0x1.71547652b82fep+5, expf_shift = 0x1.8p+52;
static const double expf_c0 = 0x1.c6af84b912394p-20, expf_c1 = 0x1.ebfce50fac4f3p-13, expf_c2 = 0x1.62e42ff0c52d6p-6;
static const float expf_overflow = 0x1.62e42ep+6f, expf_underflow = -0x1.9fe368p+6f, expf_subnormal = -0x1.9d1d9ep+6f;

AVX2_TARGET __m128 expf4_libm(__m128 x) {
    __m256d xd = _mm256_cvtps_pd(x);
    __m256d kd = _mm256_fmadd_pd(_mm256_set1_pd(expf_inv_ln2_n), xd, _mm256_set1_pd(expf_shift));
    __m256i ki = _mm256_castpd_si256(kd);
    kd = _mm256_sub_pd(kd, _mm256_set1_pd(expf_shift));
    __m256d r = _mm256_fmsub_pd(_mm256_set1_pd(expf_inv_ln2_n), xd, kd);
    __m256i t = _mm256_i64gather_epi64((const long long *)expf_table, _mm256_and_si256(ki, _mm256_set1_epi64x(31)), 8);
    __m256d s = _mm256_castsi256_pd(_mm256_add_epi64(t, _mm256_slli_epi64(ki, 47)));
    __m256d z = _mm256_fmadd_pd(r, _mm256_set1_pd(expf_c0), _mm256_set1_pd(expf_c1));
    __m256d r2 = _mm256_mul_pd(r, r);
    __m256d y = _mm256_fmadd_pd(r, _mm256_set1_pd(expf_c2), _mm256_set1_pd(1.0));
    y = _mm256_mul_pd(_mm256_fmadd_pd(z, r2, y), s);
    __m128 e = _mm256_cvtpd_ps(y);
    e = _mm_blendv_ps(e, _mm_set1_ps(0x1p-149f), _mm_cmp_ps(x, _mm_set1_ps(expf_subnormal), _CMP_LT_OQ));
    e = _mm_blendv_ps(e, _mm_setzero_ps(), _mm_cmp_ps(x, _mm_set1_ps(expf_underflow), _CMP_LT_OQ));
    e = _mm_blendv_ps(e, _mm_set1_ps(INFINITY), _mm_cmp_ps(x, _mm_set1_ps(expf_overflow), _CMP_GT_OQ));
    return _mm_blendv_ps(e, _mm_add_ps(x, x), _mm_cmp_ps(x, x, _CMP_UNORD_Q));
}
AVX2_TARGET void expf16_libm(const float *x, float *out) {
    for (int i = 0; i < 16; i += 4) _mm_storeu_ps(out + i, expf4_libm(_mm_loadu_ps(x + i)));
}

#endif
