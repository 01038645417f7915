/// Sixteen float lanes, the width of the engine's Swift vector loops (two AVX2 registers in the
/// x86-64-v3 build). Kernels that need more than lane-wise arithmetic (exp, erf, square roots) are
/// C kernels chosen at run time (`VectorKernels`).
typealias Float16x = SIMD16<Float>
