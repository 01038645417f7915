import COpenBLAS

/// Matrix products with known answers, run once per process before the engine trusts a kernel set:
/// some OpenBLAS builds compute wrong results on some CPUs with some cores. The shapes are odd
/// (every kernel's edge code runs), large enough that OpenBLAS splits them between its threads,
/// and cover all four transpose combinations. About 3 ms.
enum ProductCheck {
    /// A description of the first wrong product, or nil when all are right.
    static func firstFailure() -> String? {
        for (transposeA, transposeB) in [(false, false), (false, true), (true, false), (true, true)] {
            if let failure = exactProduct(m: 67, n: 45, k: 300, transposeA: transposeA, transposeB: transposeB) { return failure }
        }
        return roundedProduct(m: 33, n: 70, k: 513)
    }

    /// Small integers, α = 2 and β = ½: every partial sum is exact in float, so a correct kernel gives
    /// exactly the definition whatever order it adds in. Catches wrong indexing, packing and edges.
    static func exactProduct(m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool) -> String? {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Float {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(Int(state >> 61)) - 3
        }
        let a = (0..<(m * k)).map { _ in next() }, b = (0..<(k * n)).map { _ in next() }
        let c0 = (0..<(m * n)).map { _ in next() }
        var c = c0
        multiply(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 2, a: a, b: b, beta: 0.5, c: &c)
        for i in 0..<m {
            for j in 0..<n {
                var sum: Float = 0
                for p in 0..<k { sum += (transposeA ? a[p * m + i] : a[i * k + p]) * (transposeB ? b[j * k + p] : b[p * n + j]) }
                let expected = 2 * sum + 0.5 * c0[i * n + j]
                if c[i * n + j] != expected {
                    return "\(m)×\(k)·\(k)×\(n) product (\(transposeA ? "Aᵀ" : "A")·\(transposeB ? "Bᵀ" : "B")): C[\(i), \(j)] = \(c[i * n + j]), expected \(expected)"
                }
            }
        }
        return nil
    }

    /// Values in [-1, 1): each element must be within float's rounding of the exact sum (k·2⁻²³ of
    /// Σ|a||b|, a bound any correct order of additions meets, and bfloat16 arithmetic does not).
    static func roundedProduct(m: Int, n: Int, k: Int) -> String? {
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func next() -> Float {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(state >> 40) / Float(1 << 23) - 1
        }
        let a = (0..<(m * k)).map { _ in next() }, b = (0..<(k * n)).map { _ in next() }
        var c = [Float](repeating: 0, count: m * n)
        multiply(transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 1, a: a, b: b, beta: 0, c: &c)
        for i in 0..<m {
            for j in 0..<n {
                var exact = 0.0, magnitude = 0.0
                for p in 0..<k {
                    let product = Double(a[i * k + p]) * Double(b[p * n + j])
                    exact += product
                    magnitude += abs(product)
                }
                if abs(Double(c[i * n + j]) - exact) > Double(k) * 0x1p-23 * magnitude + 1e-30 {
                    return "\(m)×\(k)·\(k)×\(n) product: C[\(i), \(j)] = \(c[i * n + j]), expected \(Float(exact))"
                }
            }
        }
        return nil
    }

    /// OpenBLAS directly: the check runs while `BLAS` is still being prepared.
    private static func multiply(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float, a: [Float], b: [Float],
                                 beta: Float, c: inout [Float]) {
        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(transposeA ? m : k), b, Int32(transposeB ? k : n), beta, &c, Int32(n))
    }
}
