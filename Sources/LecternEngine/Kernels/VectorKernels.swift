import CKernels

/// The C vector kernels (`CKernels`) for this CPU, chosen once as the BLAS kernels are: the AVX-512
/// variant where the CPU has AVX-512, else the AVX2 one (the engine's baseline). Both variants give
/// the same bits, so the choice changes speed only.
enum VectorKernels {
    static let wide = CPU.current.has(.avx512)
    static let adamw = wide ? lectern_adamw_avx512 : lectern_adamw_avx2
    static let gelu = wide ? lectern_gelu_avx512 : lectern_gelu_avx2
    static let geluOutputAndDerivative = wide ? lectern_gelu_output_and_derivative_avx512 : lectern_gelu_output_and_derivative_avx2
    static let dropoutMask = wide ? lectern_dropout_mask_avx512 : lectern_dropout_mask_avx2
    static let softmaxRows = wide ? lectern_softmax_rows_avx512 : lectern_softmax_rows_avx2
}
