// AdamW over a flat range of parameters (see lectern_kernels.h). The update is bound by memory
// (four streams read, three written); what it needs from the vector unit is a square root and a
// division per value, which Swift's generic SIMD types compute one lane at a time.
#include "lectern_kernels.h"

#include <immintrin.h>
#include <math.h>

// Each operation rounds on its own, as in the scalar formula; a fused multiply-add would change bits.
#pragma clang fp contract(off)

// One value, for the tails: the same operations as a lane of the vector loops.
static inline void update_one(float *p, const float *g, float *m, float *v, const lectern_adamw_step *s) {
    float gradient = *g * s->gradient_scale;
    float first = s->beta1 * *m + s->one_minus_beta1 * gradient;
    float second = s->beta2 * *v + s->one_minus_beta2 * gradient * gradient;
    float parameter = *p * s->shrink;
    parameter -= s->step_size * first / (sqrtf(second) / s->correction2_root + s->epsilon);
    *m = first;
    *v = second;
    *p = parameter;
}

__attribute__((target("avx512f")))
void lectern_adamw_avx512(float *p, const float *g, float *m, float *v, long count, const lectern_adamw_step *s) {
    const __m512 beta1 = _mm512_set1_ps(s->beta1), one_minus_beta1 = _mm512_set1_ps(s->one_minus_beta1);
    const __m512 beta2 = _mm512_set1_ps(s->beta2), one_minus_beta2 = _mm512_set1_ps(s->one_minus_beta2);
    const __m512 epsilon = _mm512_set1_ps(s->epsilon), shrink = _mm512_set1_ps(s->shrink);
    const __m512 step_size = _mm512_set1_ps(s->step_size), root = _mm512_set1_ps(s->correction2_root);
    const __m512 scale = _mm512_set1_ps(s->gradient_scale);
    long i = 0;
    for (; i + 16 <= count; i += 16) {
        __m512 gradient = _mm512_mul_ps(_mm512_loadu_ps(g + i), scale);
        __m512 first = _mm512_add_ps(_mm512_mul_ps(beta1, _mm512_loadu_ps(m + i)), _mm512_mul_ps(one_minus_beta1, gradient));
        __m512 second = _mm512_add_ps(_mm512_mul_ps(beta2, _mm512_loadu_ps(v + i)),
                                      _mm512_mul_ps(_mm512_mul_ps(one_minus_beta2, gradient), gradient));
        __m512 parameter = _mm512_mul_ps(_mm512_loadu_ps(p + i), shrink);
        __m512 denominator = _mm512_add_ps(_mm512_div_ps(_mm512_sqrt_ps(second), root), epsilon);
        parameter = _mm512_sub_ps(parameter, _mm512_div_ps(_mm512_mul_ps(step_size, first), denominator));
        _mm512_storeu_ps(m + i, first);
        _mm512_storeu_ps(v + i, second);
        _mm512_storeu_ps(p + i, parameter);
    }
    for (; i < count; i++) update_one(p + i, g + i, m + i, v + i, s);
}

__attribute__((target("avx2")))
void lectern_adamw_avx2(float *p, const float *g, float *m, float *v, long count, const lectern_adamw_step *s) {
    const __m256 beta1 = _mm256_set1_ps(s->beta1), one_minus_beta1 = _mm256_set1_ps(s->one_minus_beta1);
    const __m256 beta2 = _mm256_set1_ps(s->beta2), one_minus_beta2 = _mm256_set1_ps(s->one_minus_beta2);
    const __m256 epsilon = _mm256_set1_ps(s->epsilon), shrink = _mm256_set1_ps(s->shrink);
    const __m256 step_size = _mm256_set1_ps(s->step_size), root = _mm256_set1_ps(s->correction2_root);
    const __m256 scale = _mm256_set1_ps(s->gradient_scale);
    long i = 0;
    for (; i + 8 <= count; i += 8) {
        __m256 gradient = _mm256_mul_ps(_mm256_loadu_ps(g + i), scale);
        __m256 first = _mm256_add_ps(_mm256_mul_ps(beta1, _mm256_loadu_ps(m + i)), _mm256_mul_ps(one_minus_beta1, gradient));
        __m256 second = _mm256_add_ps(_mm256_mul_ps(beta2, _mm256_loadu_ps(v + i)),
                                      _mm256_mul_ps(_mm256_mul_ps(one_minus_beta2, gradient), gradient));
        __m256 parameter = _mm256_mul_ps(_mm256_loadu_ps(p + i), shrink);
        __m256 denominator = _mm256_add_ps(_mm256_div_ps(_mm256_sqrt_ps(second), root), epsilon);
        parameter = _mm256_sub_ps(parameter, _mm256_div_ps(_mm256_mul_ps(step_size, first), denominator));
        _mm256_storeu_ps(m + i, first);
        _mm256_storeu_ps(v + i, second);
        _mm256_storeu_ps(p + i, parameter);
    }
    for (; i < count; i++) update_one(p + i, g + i, m + i, v + i, s);
}
