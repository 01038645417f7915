// AdamW's update, written once over 16 lanes (vector16.h) and included by vector_kernels.c once per
// instruction set, as activation_body.h is: V(name) names that set's operation or function,
// KERNEL its function attributes.
KERNEL void V(lectern_adamw)(float *p, const float *g, float *m, float *v, long count, const lectern_adamw_step *s) {
    const V(v16) beta1 = V(set1)(s->beta1), one_minus_beta1 = V(set1)(s->one_minus_beta1);
    const V(v16) beta2 = V(set1)(s->beta2), one_minus_beta2 = V(set1)(s->one_minus_beta2);
    const V(v16) epsilon = V(set1)(s->epsilon), shrink = V(set1)(s->shrink);
    const V(v16) step_size = V(set1)(s->step_size), root = V(set1)(s->correction2_root);
    const V(v16) scale = V(set1)(s->gradient_scale);
    long i = 0;
    for (; i + 16 <= count; i += 16) {
        V(v16) gradient = V(mul)(V(load)(g + i), scale);
        V(v16) first = V(add)(V(mul)(beta1, V(load)(m + i)), V(mul)(one_minus_beta1, gradient));
        V(v16) second = V(add)(V(mul)(beta2, V(load)(v + i)), V(mul)(V(mul)(one_minus_beta2, gradient), gradient));
        V(v16) parameter = V(mul)(V(load)(p + i), shrink);
        V(v16) denominator = V(add)(V(div)(V(sqrt)(second), root), epsilon);
        parameter = V(sub)(parameter, V(div)(V(mul)(step_size, first), denominator));
        V(store)(m + i, first);
        V(store)(v + i, second);
        V(store)(p + i, parameter);
    }
    for (; i < count; i++) update_one(p + i, g + i, m + i, v + i, s);
}
