// Matrix products with bfloat16 inputs and float32 accumulation (AVX512-BF16, `vdpbf16ps`).
// OpenBLAS as Debian builds it has no bfloat16 product (`sbgemm`), so the engine has its own.
//
// C = alpha · op(A) · op(B) + beta · C, row-major, op(A) m×k, op(B) k×n. The inputs are float32
// matrices, rounded to bfloat16 (to nearest, ties to even, as torch rounds) while they are packed;
// every product of two bfloat16 values is exact in float32 and the sums are float32.
//
// The caller (Swift, LecternEngine/Kernels/BFloat16Product.swift) blocks k in `LECTERN_BF16_KC`
// steps, packs op(B) for one step with `lectern_bf16_pack_b` and shares the rows of C between
// threads, each calling `lectern_bf16_multiply_rows` with scratch of its own. Each element of C is
// computed by the same operations whichever thread holds its row, so results do not depend on the
// thread count.
//
// Only call these when the CPU has AVX-512 F/BW/VL and AVX512-BF16 (`CPU.has(.avx512bf16)`): the
// target is compiled for baseline x86-64 and only these functions use the wider instructions.
#ifndef LECTERN_BF16_H
#define LECTERN_BF16_H

#include <stdbool.h>
#include <stdint.h>

// Rows of C one kernel call computes, and columns (two 16-lane vectors).
#define LECTERN_BF16_MR 12
#define LECTERN_BF16_NR 32
// k values per packed step (pairs of bfloat16 share one 32-bit word), and rows of A packed at once.
#define LECTERN_BF16_KC 512
#define LECTERN_BF16_MC 96

// 32-bit words `lectern_bf16_pack_b` writes for `kc` k values and `n` columns.
long lectern_bf16_packed_b_words(long kc, long n);
// 32-bit words of scratch one thread needs for `lectern_bf16_multiply_rows` over `rows` rows, `kc` k values.
long lectern_bf16_row_scratch_words(long rows, long kc);

// Packs op(B)[k0 ..< k0+kc][j0 ..< j1] (op(B)[k][j] = b[k·ldb + j], or b[j·ldb + k] when
// transposed) into `packed`, whose column panels start at 0; j0 and j1 are multiples of
// LECTERN_BF16_NR except that j1 may be n. Columns past n and an odd last k are zeros.
void lectern_bf16_pack_b(const float *b, long ldb, bool transposed, long k0, long kc, long j0, long j1, long n,
                         uint32_t *packed);

// Called with rows `row ..< row + rows` of C once they are final, while they are still in the cache.
typedef void (*lectern_bf16_rows_done)(void *context, long row, long rows);

// Rows i0 ..< i1 of C += alpha · op(A)[:, k0 ..< k0+kc] · (packed step of op(B)), n columns.
// With `first`, C is first scaled by beta (beta 0: C is not read, as BLAS defines it), or, given
// `bias` (n values), set to it instead: a linear layer's bias added as its product is stored.
// Given `done` (on the last step of k, when C's rows are final), it is called after each block of
// at most LECTERN_BF16_MC rows, in order: a pass over those rows fused with the product.
void lectern_bf16_multiply_rows(const float *a, long lda, bool transposed, long i0, long i1, long k0, long kc,
                                const uint32_t *packed_b, long n, float alpha, float beta, const float *bias, bool first,
                                float *c, long ldc, uint32_t *scratch, lectern_bf16_rows_done done, void *done_context);

// Rounds float32 to bfloat16 and back, as the packing does (for tests and references).
float lectern_bf16_round(float value);

#endif
