// Vector kernels the engine chooses at run time by the CPU's instruction set, as it chooses its
// BLAS kernels: an AVX-512 variant and an AVX2 variant of each, with the same operations in the
// same order, so both give the same bits (the activation kernels share one body, activation_body.h). The target is compiled for baseline x86-64; only these
// functions use the wider instructions, so call a variant only where the CPU has it
// (`CPU.has(.avx512)`; AVX2 is the engine's baseline).
#ifndef LECTERN_KERNELS_H
#define LECTERN_KERNELS_H

#include <stdint.h>

// The constants of one AdamW step (torch.optim.AdamW's, one learning rate for every value).
typedef struct {
    float beta1, one_minus_beta1, beta2, one_minus_beta2, epsilon;
    float shrink;            // 1 − lr·λ (1 for tensors without weight decay)
    float step_size;         // lr / (1 − β₁ᵗ)
    float correction2_root;  // √(1 − β₂ᵗ)
    float gradient_scale;    // the clipping factor
} lectern_adamw_step;

// One AdamW update of `count` values: g ← g·scale; m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g·g;
// p ← p·shrink − step_size·m / (√v / correction2_root + ε); every operation rounded to float32 in
// that order (no fused multiply-add), as torch's single-tensor AdamW on the CPU.
void lectern_adamw_avx512(float *p, const float *g, float *m, float *v, long count, const lectern_adamw_step *step);
void lectern_adamw_avx2(float *p, const float *g, float *m, float *v, long count, const lectern_adamw_step *step);

// A dropout mask of `count` values from the SplitMix64 stream whose state is `state`: value 2j is
// kept (1) where the low 32 bits of draw j are ≥ threshold, value 2j + 1 where its high 32 bits are.
void lectern_dropout_mask_avx512(uint64_t state, long count, uint32_t threshold, uint8_t *kept);
void lectern_dropout_mask_avx2(uint64_t state, long count, uint32_t threshold, uint8_t *kept);

// GELU (erf form): output = 0.5·x·(1 + erf(x/√2)) over `count` values (`output` may be `input`).
void lectern_gelu_avx512(const float *input, float *output, long count);
void lectern_gelu_avx2(const float *input, float *output, long count);
// GELU's output into `output` and, in place of `input`, its derivative Φ(x) + x·φ(x), from one erf
// per value: the backward pass makes the activation again from its saved input.
void lectern_gelu_output_and_derivative_avx512(float *input, float *output, long count);
void lectern_gelu_output_and_derivative_avx2(float *input, float *output, long count);
// Softmax of each row of `rows × columns`, in place, with the row's largest value subtracted.
void lectern_softmax_rows_avx512(float *values, long rows, long columns);
void lectern_softmax_rows_avx2(float *values, long rows, long columns);
// The vector e^x and erf(x) those kernels use (within a few ulp, and 5e-7 absolute), over `count`
// values, for tests; a tail shorter than 16 goes to libm.
void lectern_exp_avx512(const float *x, float *out, long count);
void lectern_exp_avx2(const float *x, float *out, long count);
void lectern_erf_avx512(const float *x, float *out, long count);
void lectern_erf_avx2(const float *x, float *out, long count);
// libm's expf, bit for bit (Debian 12's glibc on a CPU with FMA): softmax's last values of a row,
// for tests. One variant: it needs AVX2 and FMA, the engine's baseline.
void lectern_expf_libm(const float *x, float *out, long count);

#endif
