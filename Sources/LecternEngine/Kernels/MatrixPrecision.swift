/// The precision of the model's matrix products: the dense layers, attention and the head, forward
/// and backward. Everything else (LayerNorm, softmax, GELU, the loss, gradient sums, AdamW, the
/// weights themselves) is float32 in both.
public enum MatrixPrecision: String, Sendable, Equatable {
    /// float32 inputs and sums, through OpenBLAS.
    case float32
    /// Inputs rounded to bfloat16, products summed in float32 (`bf16: true`; AVX512-BF16): what
    /// `torch.autocast("cpu", dtype=torch.bfloat16)` does to matrix products, except that the result
    /// stays float32 where torch rounds it to bfloat16 too.
    case bfloat16

    /// What a run that asks for bf16 (or not) gets on `cpu`, and a notice when it is not what it asked for.
    public static func forRequest(bf16: Bool, on cpu: CPU = .current) -> (precision: MatrixPrecision, notice: String?) {
        guard bf16 else { return (.float32, nil) }
        if cpu.has(.avx512bf16) { return (.bfloat16, nil) }
        return (.float32, "bf16: true ran in float32: this CPU (\(cpu.modelName)) has no AVX512-BF16 instructions "
                + "(AMD Zen 4 and later, Intel Cooper Lake and Sapphire Rapids and later have them). Results are those of float32.")
    }

    /// A linear layer over `rows` rows: output = input · weightᵀ + bias (weight `[outFeatures, inFeatures]`,
    /// as torch stores it). In float32 the bias fills the output and the product adds to it (torch's
    /// `addmm`); in bfloat16 the kernel adds the bias as it stores the product, without that pass, and
    /// reads the weight from `packed` when given (inference packs each weight once).
    ///
    /// `then`, given, is a pass over rows of the output (a range of rows at a time; each row's result
    /// must not depend on the others'): in float32 it runs after the product, the rows shared out
    /// between the cores; in bfloat16 the kernel runs it on each block of rows as soon as they are
    /// final, while they are still in the cache.
    func linear(input: UnsafePointer<Float>, rows: Int, inFeatures: Int, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
                outFeatures: Int, output: UnsafeMutablePointer<Float>, packed: BFloat16PackedWeight? = nil,
                then: ((Range<Int>) -> Void)? = nil) {
        switch self {
        case .float32:
            parallelParts(rows, minimumPart: rowsPerPart) { part in
                for row in part { (output + row * outFeatures).update(from: bias, count: outFeatures) }
            }
            BLAS.sgemm(transposeA: false, transposeB: true, m: rows, n: outFeatures, k: inFeatures, a: input, lda: inFeatures,
                       b: weight, ldb: inFeatures, beta: 1, c: output, ldc: outFeatures)
            if let then { parallelParts(rows, minimumPart: rowsPerPart, then) }
        case .bfloat16:
            BFloat16Product.multiply(transposeA: false, transposeB: true, m: rows, n: outFeatures, k: inFeatures, a: input, lda: inFeatures,
                                     b: weight, ldb: inFeatures, bias: bias, packedB: packed, c: output, ldc: outFeatures, finishRows: then)
        }
    }

    /// The backward pass of `linear` (Y = X·Wᵀ + b, X `[rows, in]`, W `[out, in]`): adds ∂W = ∂Yᵀ·X and
    /// ∂b = Σ ∂Y to the gradients (∂b only with `biasGradient`: nil where the caller's own pass over ∂Y
    /// added it), and writes ∂X = ∂Y·W into `inputGradient` (or adds it, with `accumulateInput`, where
    /// the input also feeds a residual path).
    func linearBackward(outputGradient: UnsafePointer<Float>, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                        rows: Int, inFeatures: Int, outFeatures: Int,
                        weightGradient: UnsafeMutablePointer<Float>, biasGradient: UnsafeMutablePointer<Float>?,
                        inputGradient: UnsafeMutablePointer<Float>, accumulateInput: Bool = false) {
        multiply(transposeA: true, transposeB: false, m: outFeatures, n: inFeatures, k: rows, a: outputGradient, lda: outFeatures,
                 b: input, ldb: inFeatures, beta: 1, c: weightGradient, ldc: inFeatures)
        // Without a derivative to apply, biasBackward only reads the gradient.
        if let biasGradient { biasBackward(biasGradient, UnsafeMutablePointer(mutating: outputGradient), rows: rows, columns: outFeatures) }
        multiply(transposeA: false, transposeB: false, m: rows, n: inFeatures, k: outFeatures, a: outputGradient, lda: outFeatures,
                 b: weight, ldb: inFeatures, beta: accumulateInput ? 1 : 0, c: inputGradient, ldc: inFeatures)
    }

    /// C = α · op(A) · op(B) + β · C in this precision; the arguments of `BLAS.sgemm`.
    public func multiply(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
                         a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                         beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        multiply(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                 beta: beta, c: c, ldc: ldc, packed: nil)
    }

    /// `multiply`, reading op(B) in bfloat16 from `packed` when given (a weight packed once).
    @inline(__always)
    func multiply(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
                  a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                  beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int, packed: BFloat16PackedWeight?) {
        switch self {
        case .float32:
            BLAS.sgemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                       beta: beta, c: c, ldc: ldc)
        case .bfloat16:
            BFloat16Product.multiply(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                                     b: b, ldb: ldb, beta: beta, packedB: packed, c: c, ldc: ldc)
        }
    }
}
