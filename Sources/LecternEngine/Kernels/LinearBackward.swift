extension MatrixPrecision {
    /// The backward pass of `linear` (Y = X·Wᵀ + b, X `[rows, in]`, W `[out, in]`): adds ∂W = ∂Yᵀ·X and
    /// ∂b = Σ ∂Y to the gradients, and writes ∂X = ∂Y·W into `inputGradient` (or adds it, with
    /// `accumulateInput`, where the input also feeds a residual path).
    func linearBackward(outputGradient: UnsafePointer<Float>, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                        rows: Int, inFeatures: Int, outFeatures: Int,
                        weightGradient: UnsafeMutablePointer<Float>, biasGradient: UnsafeMutablePointer<Float>,
                        inputGradient: UnsafeMutablePointer<Float>, accumulateInput: Bool = false) {
        multiply(transposeA: true, transposeB: false, m: outFeatures, n: inFeatures, k: rows, a: outputGradient, lda: outFeatures,
                 b: input, ldb: inFeatures, beta: 1, c: weightGradient, ldc: inFeatures)
        biasBackward(biasGradient, outputGradient, rows: rows, columns: outFeatures)
        multiply(transposeA: false, transposeB: false, m: rows, n: inFeatures, k: outFeatures, a: outputGradient, lda: outFeatures,
                 b: weight, ldb: inFeatures, beta: accumulateInput ? 1 : 0, c: inputGradient, ldc: inFeatures)
    }
}
