// The bodies of the activation and softmax kernels, written once over 16 lanes (vector16.h) and
// included by vector_kernels.c once per instruction set with V(name) naming that set's operation or
// function (name_avx512, name_avx2) and KERNEL its function attributes. Each operation rounds on
// its own (no fused multiply-add), as the engine's Swift kernels did, so the transcripts' numbers
// did not move when these replaced them. GELU's last values (fewer than 16) go through the same
// vector operations, so a value does not depend on where a pass over it starts (the bfloat16
// products run it on blocks of rows); softmax's last values of a row get libm's expf bits, as
// before, from a vector copy of it (vector16.h).

// e^x: x = n·ln2 + r with |r| ≤ ln2/2, a degree-6 polynomial for e^r, and 2ⁿ built in the exponent
// bits; rounding to an integer by adding 1.5·2²³, which leaves it in the low mantissa bits.
static inline KERNEL V(v16) V(exp16)(V(v16) x) {
    V(v16) clamped = V(lower_to)(V(raise_to)(x, -87.3f), 88.3f);
    const float magic = 12582912.0f;
    V(v16) shifted = V(add)(V(mul)(clamped, V(set1)(1.44269504f)), V(set1)(magic));
    V(v16) n = V(sub)(shifted, V(set1)(magic));
    // Cody–Waite: ln2 split in two so that r keeps its low bits.
    V(v16) r = V(sub)(clamped, V(mul)(n, V(set1)(0.693359375f)));
    r = V(sub)(r, V(mul)(n, V(set1)(-2.1219444e-4f)));
    V(v16) p = V(set1)(1.9875691e-4f);
    p = V(add)(V(mul)(p, r), V(set1)(1.3981999e-3f));
    p = V(add)(V(mul)(p, r), V(set1)(8.333452e-3f));
    p = V(add)(V(mul)(p, r), V(set1)(4.1665796e-2f));
    p = V(add)(V(mul)(p, r), V(set1)(0.16666666f));
    p = V(add)(V(mul)(p, r), V(set1)(0.5f));
    p = V(add)(V(add)(V(mul)(V(mul)(p, r), r), r), V(set1)(1.0f));
    return V(mul)(p, V(exponent)(shifted, 0x4B400000 - 127));
}

// erf(x) by Abramowitz & Stegun 7.1.26: 1 − t·P(t)·e^(−x²), t = 1/(1 + p|x|), the sign restored.
static inline KERNEL V(v16) V(erf16)(V(v16) x) {
    V(v16) a = V(and_bits)(x, 0x7FFFFFFFu);
    V(v16) t = V(div)(V(set1)(1.0f), V(add)(V(set1)(1.0f), V(mul)(V(set1)(0.3275911f), a)));
    V(v16) poly = V(set1)(1.061405429f);
    poly = V(sub)(V(mul)(poly, t), V(set1)(1.453152027f));
    poly = V(add)(V(mul)(poly, t), V(set1)(1.421413741f));
    poly = V(sub)(V(mul)(poly, t), V(set1)(0.284496736f));
    poly = V(add)(V(mul)(poly, t), V(set1)(0.254829592f));
    V(v16) negative_square = V(mul)(V(mul)(V(set1)(-1.0f), a), a);  // (−a)·a, the negation exact
    V(v16) y = V(sub)(V(set1)(1.0f), V(mul)(V(mul)(poly, t), V(exp16)(negative_square)));
    return V(or_bits)(y, V(and_bits)(x, 0x80000000u));
}

KERNEL void V(lectern_exp)(const float *x, float *out, long count) {
    long i = 0;
    for (; i + 16 <= count; i += 16) V(store)(out + i, V(exp16)(V(load)(x + i)));
    for (; i < count; i++) out[i] = expf(x[i]);
}

KERNEL void V(lectern_erf)(const float *x, float *out, long count) {
    long i = 0;
    for (; i + 16 <= count; i += 16) V(store)(out + i, V(erf16)(V(load)(x + i)));
    for (; i < count; i++) out[i] = erff(x[i]);
}

KERNEL void V(lectern_gelu)(const float *input, float *output, long count) {
    const float inverse_root2 = 0.70710677f;
    long i = 0;
    for (; i + 16 <= count; i += 16) {
        V(v16) x = V(load)(input + i);
        V(v16) erf = V(erf16)(V(mul)(x, V(set1)(inverse_root2)));
        V(store)(output + i, V(mul)(V(mul)(V(set1)(0.5f), x), V(add)(V(set1)(1.0f), erf)));
    }
    if (i < count) {
        float x[16] = {0}, y[16];
        for (long j = i; j < count; j++) x[j - i] = input[j];
        V(lectern_gelu)(x, y, 16);
        for (long j = i; j < count; j++) output[j] = y[j - i];
    }
}

KERNEL void V(lectern_gelu_output_and_derivative)(float *input, float *output, long count) {
    const float inverse_root2 = 0.70710677f, inverse_root2pi = 0.39894228f;
    long i = 0;
    for (; i + 16 <= count; i += 16) {
        V(v16) x = V(load)(input + i);
        V(v16) erf = V(erf16)(V(mul)(x, V(set1)(inverse_root2)));
        V(v16) one_plus_erf = V(add)(V(set1)(1.0f), erf);
        V(store)(output + i, V(mul)(V(mul)(V(set1)(0.5f), x), one_plus_erf));
        V(v16) cdf = V(mul)(V(set1)(0.5f), one_plus_erf);
        V(v16) pdf = V(mul)(V(set1)(inverse_root2pi), V(exp16)(V(mul)(V(mul)(V(set1)(-0.5f), x), x)));
        V(store)(input + i, V(add)(cdf, V(mul)(x, pdf)));
    }
    if (i < count) {
        float x[16] = {0}, y[16];
        for (long j = i; j < count; j++) x[j - i] = input[j];
        V(lectern_gelu_output_and_derivative)(x, y, 16);
        for (long j = i; j < count; j++) { output[j] = y[j - i]; input[j] = x[j - i]; }
    }
}

// Softmax of `group` rows (at most 4) at once: the steps each row must take in order (its sum of
// lanes, its last values) are interleaved across the rows, so that the core follows several chains
// of dependent additions at a time instead of waiting on one. Always inlined with a constant group.
__attribute__((always_inline)) static inline KERNEL void V(softmax_group)(float *values, long group, long columns) {
    float largest[4], sum[4], lanes[4][16];
    long whole = columns / 16 * 16;
    for (long r = 0; r < group; r++) {
        const float *x = values + r * columns;
        // The row's largest value, NaNs passed over (as Swift's max(largest, x)): sixteen running
        // maxima (never NaN: the instruction keeps the running one), their largest, then the tail.
        // Only a zero's sign can depend on the order, and x − (±0) rounds to the same e^x for every x.
        V(v16) tops = V(set1)(-INFINITY);
        for (long i = 0; i < whole; i += 16) tops = V(max)(V(load)(x + i), tops);
        largest[r] = V(largest_lane)(tops);
        for (long i = whole; i < columns; i++) largest[r] = x[i] >= largest[r] ? x[i] : largest[r];
    }
    for (long r = 0; r < group; r++) {
        float *x = values + r * columns;
        V(v16) sums = V(set1)(0.0f);
        for (long i = 0; i < whole; i += 16) {
            V(v16) e = V(exp16)(V(sub)(V(load)(x + i), V(set1)(largest[r])));
            V(store)(x + i, e);
            sums = V(add)(sums, e);
        }
        V(lanes)(sums, lanes[r]);
        sum[r] = -0.0f;
    }
    // Each row's lanes summed in order from −0, as Swift's SIMD sum() does, then its last values.
    for (int lane = 0; lane < 16; lane++) {
        for (long r = 0; r < group; r++) sum[r] += lanes[r][lane];
    }
    if (whole < columns) {
        for (long r = 0; r < group; r++) {
            float *x = values + r * columns;
            float tail[16] = {0};
            for (long j = whole; j < columns; j++) tail[j - whole] = x[j] - largest[r];
            expf16_libm(tail, lanes[r]);
        }
        for (long j = whole; j < columns; j++) {
            for (long r = 0; r < group; r++) {
                values[r * columns + j] = lanes[r][j - whole];
                sum[r] += lanes[r][j - whole];
            }
        }
    }
    for (long r = 0; r < group; r++) {
        float *x = values + r * columns, inverse = 1 / sum[r];
        for (long j = 0; j < columns; j++) x[j] *= inverse;
    }
}

KERNEL void V(lectern_softmax_rows)(float *values, long rows, long columns) {
    long row = 0;
    for (; row + 4 <= rows; row += 4) V(softmax_group)(values + row * columns, 4, columns);
    for (; row < rows; row++) V(softmax_group)(values + row * columns, 1, columns);
}
