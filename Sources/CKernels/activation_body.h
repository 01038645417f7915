// The bodies of the activation and softmax kernels, written once over 16 lanes (vector16.h) and
// included by vector_kernels.c once per instruction set with V(name) naming that set's operation or
// function (name_avx512, name_avx2) and KERNEL its function attributes. Each operation rounds on
// its own (no fused multiply-add) and the tails call libm, as the engine's Swift kernels did, so
// the transcripts' numbers did not move when these replaced them.

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
    for (; i < count; i++) {
        float x = input[i];
        output[i] = 0.5f * x * (1 + erff(x * inverse_root2));
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
    for (; i < count; i++) {
        float x = input[i], erf = erff(x * inverse_root2);
        output[i] = 0.5f * x * (1 + erf);
        input[i] = 0.5f * (1 + erf) + x * inverse_root2pi * expf(-0.5f * x * x);
    }
}

KERNEL void V(lectern_softmax_rows)(float *values, long rows, long columns) {
    for (long row = 0; row < rows; row++) {
        float *x = values + row * columns;
        // The row's largest value, NaNs passed over (as Swift's max(largest, x)): sixteen running
        // maxima, then their lanes and the tail. Only a zero's sign can depend on the order, and
        // x − (±0) rounds to the same e^x for every x.
        V(v16) tops = V(set1)(-INFINITY);
        long i = 0;
        for (; i + 16 <= columns; i += 16) tops = V(max)(V(load)(x + i), tops);
        float top_lanes[16], largest = -INFINITY;
        V(lanes)(tops, top_lanes);
        for (int lane = 0; lane < 16; lane++) largest = top_lanes[lane] >= largest ? top_lanes[lane] : largest;
        for (; i < columns; i++) largest = x[i] >= largest ? x[i] : largest;
        V(v16) sums = V(set1)(0.0f);
        i = 0;
        for (; i + 16 <= columns; i += 16) {
            V(v16) e = V(exp16)(V(sub)(V(load)(x + i), V(set1)(largest)));
            V(store)(x + i, e);
            sums = V(add)(sums, e);
        }
        // The lanes summed in order from −0, as Swift's SIMD sum() does.
        float lanes[16], sum = -0.0f;
        V(lanes)(sums, lanes);
        for (int lane = 0; lane < 16; lane++) sum += lanes[lane];
        for (; i < columns; i++) {
            float e = expf(x[i] - largest);
            x[i] = e;
            sum += e;
        }
        float inverse = 1 / sum;
        for (long j = 0; j < columns; j++) x[j] *= inverse;
    }
}
