// Vector kernels the engine chooses at run time by the CPU's instruction set, as it chooses its
// BLAS kernels: an AVX-512 variant and an AVX2 variant of each, with the same operations in the
// same order, so both give the same bits. The target is compiled for baseline x86-64; only these
// functions use the wider instructions, so call a variant only where the CPU has it
// (`CPU.has(.avx512)`; AVX2 is the engine's baseline).
#ifndef LECTERN_KERNELS_H
#define LECTERN_KERNELS_H

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

#endif
