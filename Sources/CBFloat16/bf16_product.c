// bfloat16 matrix products on AVX512-BF16: see include/lectern_bf16.h for the contract.
//
// Layout (as in BLIS and OpenBLAS): op(B) is packed in panels of NR = 32 columns and op(A) in
// panels of MR = 12 rows, both by pairs of k: `vdpbf16ps` multiplies the two bfloat16 halves of
// a 32-bit word of A with those of B and adds both products to a float32 lane. One word of a B
// panel row holds (op(B)[2p][j], op(B)[2p+1][j]); one word of an A panel holds
// (op(A)[i][2p], op(A)[i][2p+1]). The kernel broadcasts A's word for each of its 12 rows against
// two vectors of B: 24 accumulators, a 12×32 tile of C.
#include "lectern_bf16.h"

#include <immintrin.h>
#include <stddef.h>
#include <string.h>

#define MR LECTERN_BF16_MR
#define NR LECTERN_BF16_NR
#define KC LECTERN_BF16_KC
#define MC LECTERN_BF16_MC
#define BF16_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))

static long pairs_of(long kc) { return (kc + 1) / 2; }

long lectern_bf16_packed_b_words(long kc, long n) { return (n + NR - 1) / NR * NR * pairs_of(kc); }

long lectern_bf16_row_scratch_words(long rows, long kc) {
    long panels = ((rows < MC ? rows : MC) + MR - 1) / MR;
    return panels * MR * pairs_of(kc < KC ? kc : KC) + 16;
}

float lectern_bf16_round(float value) {
    uint32_t bits;
    memcpy(&bits, &value, sizeof bits);
    if ((bits & 0x7F800000u) == 0x7F800000u) {
        if (bits & 0x007FFFFFu) bits |= 0x00400000u;  // NaN stays NaN (quiet)
    } else if ((bits & 0x7F800000u) == 0) {
        bits &= 0x80000000u;  // the instructions read subnormal inputs as zero
    } else {
        bits += 0x7FFFu + ((bits >> 16) & 1u);  // to nearest, ties to even
    }
    bits &= 0xFFFF0000u;
    memcpy(&value, &bits, sizeof value);
    return value;
}

static __mmask16 lanes(long count) {
    return count >= 16 ? (__mmask16)0xFFFF : count <= 0 ? 0 : (__mmask16)((1u << count) - 1);
}

// Two rows of 16 floats (the first may be k = 2p, the second 2p + 1) as 16 words of pairs.
BF16_TARGET static __m512i interleaved_pairs(__m512 even, __m512 odd) {
    const __m512i order = _mm512_set_epi16(31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8,
                                           23, 7, 22, 6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
    return _mm512_permutexvar_epi16(order, (__m512i)_mm512_cvtne2ps_pbh(odd, even));
}

// `count` floats in a row (count ≤ 32; zeros past it) as 16 words of consecutive pairs.
BF16_TARGET static __m512i consecutive_pairs(const float *row, long count) {
    __m512 low = _mm512_maskz_loadu_ps(lanes(count), row);
    __m512 high = _mm512_maskz_loadu_ps(lanes(count - 16), row + 16);
    return (__m512i)_mm512_cvtne2ps_pbh(high, low);
}

// 16 vectors of 16 words, transposed in place: row[i] lane j becomes row[j] lane i.
BF16_TARGET static void transpose16(__m512i row[16]) {
    __m512i t[16];
    for (int i = 0; i < 16; i += 2) {
        t[i] = _mm512_unpacklo_epi32(row[i], row[i + 1]);
        t[i + 1] = _mm512_unpackhi_epi32(row[i], row[i + 1]);
    }
    for (int i = 0; i < 16; i += 4) {
        row[i] = _mm512_unpacklo_epi64(t[i], t[i + 2]);
        row[i + 1] = _mm512_unpackhi_epi64(t[i], t[i + 2]);
        row[i + 2] = _mm512_unpacklo_epi64(t[i + 1], t[i + 3]);
        row[i + 3] = _mm512_unpackhi_epi64(t[i + 1], t[i + 3]);
    }
    for (int i = 0; i < 16; i += 8) {
        for (int j = 0; j < 4; j++) {
            t[i + j] = _mm512_shuffle_i32x4(row[i + j], row[i + j + 4], 0x88);
            t[i + j + 4] = _mm512_shuffle_i32x4(row[i + j], row[i + j + 4], 0xDD);
        }
    }
    for (int j = 0; j < 8; j++) {
        row[j] = _mm512_shuffle_i32x4(t[j], t[j + 8], 0x88);
        row[j + 8] = _mm512_shuffle_i32x4(t[j], t[j + 8], 0xDD);
    }
}

// `count` rows (≤ 16) contiguous along k, kc values each from `first` (rows `ld` apart), written
// as the columns of a panel: word p of row r goes to out[p · stride + r]. Sixteen pairs at a time,
// converted and transposed in registers; rows past `count` are zeros; `lanes_out` words of each
// panel row are written.
BF16_TARGET static void pack_rows_along_k(const float *first, long ld, long count, long kc, uint32_t *out, long stride,
                                          long lanes_out) {
    __mmask16 store = lanes(lanes_out);
    for (long k = 0; k < kc; k += 32) {
        __m512i words[16];
        for (long r = 0; r < 16; r++) words[r] = r < count ? consecutive_pairs(first + r * ld + k, kc - k) : _mm512_setzero_si512();
        transpose16(words);
        long pairs = (kc - k + 1) / 2 < 16 ? (kc - k + 1) / 2 : 16;
        for (long p = 0; p < pairs; p++) _mm512_mask_storeu_epi32(out + (k / 2 + p) * stride, store, words[p]);
    }
}

BF16_TARGET void lectern_bf16_pack_b(const float *b, long ldb, bool transposed, long k0, long kc, long j0, long j1,
                                     long n, uint32_t *packed) {
    long pairs = pairs_of(kc);
    if (!transposed) {
        // Rows of op(B) are rows in memory: two at a time, interleaved, each pair of rows read from
        // j0 to j1 in one pass (two long streams the prefetcher follows; panel by panel, the reads
        // were 128-byte pieces a row apart) and written into every panel.
        for (long p = 0; p < pairs; p++) {
            const float *even = b + (k0 + 2 * p) * ldb;
            bool has_odd = 2 * p + 1 < kc;
            for (long panel_start = j0; panel_start < j1; panel_start += NR) {
                uint32_t *panel = packed + panel_start / NR * NR * pairs;
                long columns = n - panel_start < NR ? n - panel_start : NR;
                for (long half = 0; half < 2; half++) {
                    __mmask16 mask = lanes(columns - 16 * half);
                    __m512 x0 = _mm512_maskz_loadu_ps(mask, even + panel_start + 16 * half);
                    __m512 x1 = has_odd ? _mm512_maskz_loadu_ps(mask, even + ldb + panel_start + 16 * half) : _mm512_setzero_ps();
                    _mm512_storeu_si512(panel + p * NR + 16 * half, interleaved_pairs(x0, x1));
                }
            }
        }
        return;
    }
    // Columns of op(B) are rows in memory, contiguous along k: sixteen at a time, transposed.
    for (long panel_start = j0; panel_start < j1; panel_start += NR) {
        uint32_t *panel = packed + panel_start / NR * NR * pairs;
        long columns = n - panel_start < NR ? n - panel_start : NR;
        for (long half = 0; half < 2; half++) {
            pack_rows_along_k(b + (panel_start + 16 * half) * ldb + k0, ldb, columns - 16 * half, kc, panel + 16 * half, NR, 16);
        }
    }
}

// Rows i0 ..< i0+rows of op(A) (rows ≤ MC), k0 ..< k0+kc, into panels of MR rows (zeros past the end).
BF16_TARGET static void pack_a(const float *a, long lda, bool transposed, long i0, long rows, long k0, long kc,
                               uint32_t *packed) {
    long pairs = pairs_of(kc);
    for (long panel_start = 0; panel_start < rows; panel_start += MR) {
        uint32_t *panel = packed + panel_start / MR * MR * pairs;
        long count = rows - panel_start < MR ? rows - panel_start : MR;
        if (!transposed) {
            pack_rows_along_k(a + (i0 + panel_start) * lda + k0, lda, count, kc, panel, MR, MR);
        } else {
            __mmask16 mask = lanes(count);
            for (long p = 0; p < pairs; p++) {
                const float *even = a + (k0 + 2 * p) * lda + i0 + panel_start;
                __m512 x0 = _mm512_maskz_loadu_ps(mask, even);
                __m512 x1 = 2 * p + 1 < kc ? _mm512_maskz_loadu_ps(mask, even + lda) : _mm512_setzero_ps();
                _mm512_mask_storeu_epi32(panel + p * MR, lanes(MR), interleaved_pairs(x0, x1));
            }
        }
    }
}

// A 12×32 tile: C[r][0 ..< columns] for r < rows, from an A panel and a B panel of `pairs` words deep.
BF16_TARGET static void tile(long pairs, const uint32_t *pa, const uint32_t *pb, long rows, long columns, float alpha,
                             float beta, const float *bias, bool first, float *c, long ldc) {
    __m512 acc[MR][2];
    for (int r = 0; r < MR; r++) acc[r][0] = acc[r][1] = _mm512_setzero_ps();
    // The tile of C is read at the end (β ≠ 0, or a later step of k): ask for it now, so that it
    // arrives while the products run (its rows are far apart; no hardware prefetcher guesses them).
    if (!first || (beta != 0 && !bias)) {
        for (int r = 0; r < MR && r < rows; r++) {
            _mm_prefetch((const char *)(c + r * ldc), _MM_HINT_T0);
            if (columns > 16) _mm_prefetch((const char *)(c + r * ldc + 16), _MM_HINT_T0);
        }
    }
    for (long p = 0; p < pairs; p++) {
        __m512bh b0 = (__m512bh)_mm512_loadu_si512(pb + p * NR);
        __m512bh b1 = (__m512bh)_mm512_loadu_si512(pb + p * NR + 16);
        const uint32_t *words = pa + p * MR;
#pragma clang loop unroll(full)
        for (int r = 0; r < MR; r++) {
            __m512bh word = (__m512bh)_mm512_set1_epi32((int)words[r]);
            acc[r][0] = _mm512_dpbf16_ps(acc[r][0], word, b0);
            acc[r][1] = _mm512_dpbf16_ps(acc[r][1], word, b1);
        }
    }
    __m512 scale = _mm512_set1_ps(alpha), keep = _mm512_set1_ps(beta);
    __m512 start[2] = {_mm512_setzero_ps(), _mm512_setzero_ps()};
    if (first && bias) {
        start[0] = _mm512_maskz_loadu_ps(lanes(columns), bias);
        start[1] = _mm512_maskz_loadu_ps(lanes(columns - 16), bias + 16);
    }
#pragma clang loop unroll(full)
    for (int r = 0; r < MR; r++) {
        if (r >= rows) break;
#pragma clang loop unroll(full)
        for (int half = 0; half < 2; half++) {
            __mmask16 mask = lanes(columns - 16 * half);
            if (!mask) continue;
            float *out = c + r * ldc + 16 * half;
            __m512 value;
            if (first && bias) value = _mm512_fmadd_ps(acc[r][half], scale, start[half]);
            else if (first && beta == 0) value = _mm512_mul_ps(acc[r][half], scale);
            else if (first) value = _mm512_fmadd_ps(acc[r][half], scale, _mm512_mul_ps(_mm512_maskz_loadu_ps(mask, out), keep));
            else value = _mm512_fmadd_ps(acc[r][half], scale, _mm512_maskz_loadu_ps(mask, out));
            _mm512_mask_storeu_ps(out, mask, value);
        }
    }
}

BF16_TARGET void lectern_bf16_multiply_rows(const float *a, long lda, bool transposed, long i0, long i1, long k0,
                                            long kc, const uint32_t *packed_b, long n, float alpha, float beta,
                                            const float *bias, bool first, float *c, long ldc, uint32_t *scratch,
                                            lectern_bf16_rows_done done, void *done_context) {
    long pairs = pairs_of(kc);
    for (long block = i0; block < i1; block += MC) {
        long rows = i1 - block < MC ? i1 - block : MC;
        pack_a(a, lda, transposed, block, rows, k0, kc, scratch);
        // Each B panel stays in L1 while the block's A panels (in L2) pass under it.
        for (long column = 0; column < n; column += NR) {
            const uint32_t *pb = packed_b + column / NR * NR * pairs;
            long columns = n - column < NR ? n - column : NR;
            for (long row = 0; row < rows; row += MR) {
                tile(pairs, scratch + row / MR * MR * pairs, pb, rows - row < MR ? rows - row : MR, columns, alpha, beta,
                     bias ? bias + column : NULL, first, c + (block + row) * ldc + column, ldc);
            }
        }
        if (done) done(done_context, block, rows);
    }
}
