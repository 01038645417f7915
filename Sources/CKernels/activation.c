// The feed-forward activation (GELU, erf form), its output and derivative for the backward pass,
// and softmax over rows, in an AVX-512 and an AVX2 variant (see lectern_kernels.h).
#include "lectern_kernels.h"

#include <math.h>

// Each operation rounds on its own; a fused multiply-add would change bits. Before the bodies.
#pragma clang fp contract(off)

#include "vector16.h"

#define V(name) name##_avx512
#define KERNEL __attribute__((target("avx512f,avx512dq")))
#include "activation_body.h"
#undef V
#undef KERNEL

#define V(name) name##_avx2
#define KERNEL __attribute__((target("avx2")))
#include "activation_body.h"
#undef V
#undef KERNEL
