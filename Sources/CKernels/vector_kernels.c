// The kernels written once over 16 lanes (vector16.h), compiled here for each instruction set:
// the feed-forward activation (GELU, erf form), its output and derivative for the backward pass,
// softmax over rows (activation_body.h), and AdamW's update (adamw_body.h), in an AVX-512 and an
// AVX2 variant (see lectern_kernels.h). AdamW is bound by memory (four streams read, three
// written); what it needs from the vector unit is a square root and a division per value, which
// Swift's generic SIMD types compute one lane at a time.
#include "lectern_kernels.h"

#include <math.h>

// Each operation rounds on its own; a fused multiply-add would change bits. Before the bodies.
#pragma clang fp contract(off)

#include "vector16.h"

// One value of AdamW, for the tails: the same operations as a lane of the vector loop.
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

#define V(name) name##_avx512
#define KERNEL __attribute__((target("avx512f,avx512dq")))
#include "activation_body.h"
#include "adamw_body.h"
#undef V
#undef KERNEL

#define V(name) name##_avx2
#define KERNEL __attribute__((target("avx2,fma")))
#include "activation_body.h"
#include "adamw_body.h"
#undef V
#undef KERNEL

__attribute__((target("avx2,fma"))) void lectern_expf_libm(const float *x, float *out, long count) {
    for (long i = 0; i < count; i += 16) {
        float in[16] = {0}, e[16];
        long n = count - i < 16 ? count - i : 16;
        for (long j = 0; j < n; j++) in[j] = x[i + j];
        expf16_libm(in, e);
        for (long j = 0; j < n; j++) out[i + j] = e[j];
    }
}
