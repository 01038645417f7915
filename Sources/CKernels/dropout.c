// Dropout masks from the engine's SplitMix64 stream (LecternEngine/SplitMix64.swift), eight or four
// draws at once: draw j (from 0) is the mix of state + (j + 1)·γ, so the draws do not depend on each
// other. Each 64-bit draw decides two values: its low 32 bits the first, its high 32 bits the
// second, kept (1) where they are ≥ threshold, dropped (0) below.
#include "lectern_kernels.h"

#include <immintrin.h>

// SplitMix64's increment and its mix's two multipliers.
static const uint64_t golden_gamma = 0x9E3779B97F4A7C15ull, mix_multiplier1 = 0xBF58476D1CE4E5B9ull, mix_multiplier2 = 0x94D049BB133111EBull;

static inline uint64_t mix(uint64_t z) {
    z = (z ^ (z >> 30)) * mix_multiplier1;
    z = (z ^ (z >> 27)) * mix_multiplier2;
    return z ^ (z >> 31);
}

// Values [index, count) one draw at a time; index is even (a whole draw), `state` the state before draw index / 2.
static void mask_tail(uint64_t state, long index, long count, uint32_t threshold, uint8_t *kept) {
    for (; index < count; index += 2) {
        state += golden_gamma;
        uint64_t bits = mix(state);
        kept[index] = (uint32_t)bits >= threshold;
        if (index + 1 < count) kept[index + 1] = (uint32_t)(bits >> 32) >= threshold;
    }
}

__attribute__((target("avx512f,avx512dq,avx512bw,avx512vl")))
void lectern_dropout_mask_avx512(uint64_t state, long count, uint32_t threshold, uint8_t *kept) {
    __m512i states = _mm512_add_epi64(_mm512_set1_epi64((long long)state),
                                      _mm512_mullo_epi64(_mm512_set_epi64(8, 7, 6, 5, 4, 3, 2, 1), _mm512_set1_epi64((long long)golden_gamma)));
    const __m512i step = _mm512_set1_epi64((long long)(8 * golden_gamma));
    const __m512i multiplier1 = _mm512_set1_epi64((long long)mix_multiplier1), multiplier2 = _mm512_set1_epi64((long long)mix_multiplier2);
    const __m512i limit = _mm512_set1_epi32((int)threshold);
    const __m128i ones = _mm_set1_epi8(1);
    long index = 0;
    for (; index + 16 <= count; index += 16) {
        __m512i z = states;
        z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64(z, 30)), multiplier1);
        z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64(z, 27)), multiplier2);
        z = _mm512_xor_si512(z, _mm512_srli_epi64(z, 31));
        // As sixteen 32-bit lanes the draws are low, high, low, high, ...: the values' order.
        __mmask16 keep = _mm512_cmpge_epu32_mask(z, limit);
        _mm_storeu_si128((__m128i *)(kept + index), _mm_maskz_mov_epi8(keep, ones));
        states = _mm512_add_epi64(states, step);
    }
    mask_tail(state + (uint64_t)(index / 2) * golden_gamma, index, count, threshold, kept);
}

// a·b modulo 2⁶⁴ per 64-bit lane, from AVX2's 32×32→64-bit products.
__attribute__((target("avx2"))) static inline __m256i multiply_low64(__m256i a, __m256i b) {
    __m256i low = _mm256_mul_epu32(a, b);
    __m256i cross = _mm256_add_epi64(_mm256_mul_epu32(_mm256_srli_epi64(a, 32), b), _mm256_mul_epu32(a, _mm256_srli_epi64(b, 32)));
    return _mm256_add_epi64(low, _mm256_slli_epi64(cross, 32));
}

__attribute__((target("avx2")))
void lectern_dropout_mask_avx2(uint64_t state, long count, uint32_t threshold, uint8_t *kept) {
    __m256i states = _mm256_add_epi64(_mm256_set1_epi64x((long long)state),
                                      _mm256_set_epi64x((long long)(4 * golden_gamma), (long long)(3 * golden_gamma),
                                                        (long long)(2 * golden_gamma), (long long)golden_gamma));
    const __m256i step = _mm256_set1_epi64x((long long)(4 * golden_gamma));
    const __m256i multiplier1 = _mm256_set1_epi64x((long long)mix_multiplier1), multiplier2 = _mm256_set1_epi64x((long long)mix_multiplier2);
    const __m256i limit = _mm256_set1_epi32((int)threshold);
    long index = 0;
    for (; index + 8 <= count; index += 8) {
        __m256i z = states;
        z = multiply_low64(_mm256_xor_si256(z, _mm256_srli_epi64(z, 30)), multiplier1);
        z = multiply_low64(_mm256_xor_si256(z, _mm256_srli_epi64(z, 27)), multiplier2);
        z = _mm256_xor_si256(z, _mm256_srli_epi64(z, 31));
        // Unsigned z ≥ limit exactly where max(z, limit) = z.
        int keep = _mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpeq_epi32(_mm256_max_epu32(z, limit), z)));
        for (int value = 0; value < 8; value++) kept[index + value] = (uint8_t)((keep >> value) & 1);
        states = _mm256_add_epi64(states, step);
    }
    mask_tail(state + (uint64_t)(index / 2) * golden_gamma, index, count, threshold, kept);
}
