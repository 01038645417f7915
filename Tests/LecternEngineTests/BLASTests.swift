import LecternTestSupport
import Testing
@testable import LecternEngine

struct BLASTests {
    /// The row-major wrapper must agree with the definition of a matrix product, for every transpose combination.
    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func sgemmMatchesTheDefinition(transposeA: Bool, transposeB: Bool) {
        let m = 5, n = 7, k = 3
        // Stored shapes: A is m×k (or k×m when transposed), B is k×n (or n×k).
        let a = (0..<(m * k)).map { Float(($0 * 7) % 11) - 5 }
        let b = (0..<(k * n)).map { Float(($0 * 5) % 13) - 6 }
        func elementA(_ i: Int, _ p: Int) -> Float { transposeA ? a[p * m + i] : a[i * k + p] }
        func elementB(_ p: Int, _ j: Int) -> Float { transposeB ? b[j * k + p] : b[p * n + j] }
        var c = [Float](repeating: 1, count: m * n)
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    BLAS.sgemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 2,
                               a: a.baseAddress!, lda: transposeA ? m : k, b: b.baseAddress!, ldb: transposeB ? k : n,
                               beta: 0.5, c: c.baseAddress!, ldc: n)
                }
            }
        }
        for i in 0..<m {
            for j in 0..<n {
                let expected = 2 * (0..<k).reduce(Float(0)) { $0 + elementA(i, $1) * elementB($1, j) } + 0.5
                #expect(c[i * n + j] == expected, "C[\(i), \(j)]")
            }
        }
    }

    /// `BLASKernels.rowsAreIndependent` is what lets evaluation join batches: with those kernels, a linear layer's
    /// rows (X·Wᵀ + b, as `MatrixPrecision.linear` calls it) must come out bit for bit the same in a product of
    /// any length, at any offset. Other kernel sets are not held to it.
    @Test(.enabled(if: BLAS.kernels.rowsAreIndependent, "\(BLAS.kernels.core)'s products let rows depend on their neighbours"),
          arguments: [(384, 384), (1536, 384), (384, 1536), (768, 768)])
    func withIndependentRowsARowIsTheSameInAProductOfAnyLength(outFeatures n: Int, inFeatures k: Int) {
        var state: UInt64 = 7
        func draw() -> Float { state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407; return Float(Int(state >> 40) - (1 << 23)) / Float(1 << 23) }
        let rows = 96
        let x = (0..<(rows * k)).map { _ in draw() }, w = (0..<(n * k)).map { _ in draw() * 0.05 }, bias = (0..<n).map { _ in draw() }
        func linear(_ first: Int, _ count: Int) -> [Float] {
            var y = (0..<count).flatMap { _ in bias }
            x.withUnsafeBufferPointer { x in
                w.withUnsafeBufferPointer { w in
                    y.withUnsafeMutableBufferPointer { y in
                        BLAS.sgemm(transposeA: false, transposeB: true, m: count, n: n, k: k, a: x.baseAddress! + first * k, lda: k,
                                   b: w.baseAddress!, ldb: k, beta: 1, c: y.baseAddress!, ldc: n)
                    }
                }
            }
            return y
        }
        let whole = linear(0, rows)
        for (first, count) in [(0, 4), (7, 5), (7, 13), (3, 16), (50, 40), (1, 95)] {
            #expect(linear(first, count) == Array(whole[(first * n)..<((first + count) * n)]), "rows \(first)..<\(first + count)")
        }
    }

    @Test func configurationNamesOpenBLAS() {
        #expect(BLAS.configuration.contains("OpenBLAS"))
        withBLASThreadsHeld {
            let threads = BLAS.threads
            defer { BLAS.setThreads(threads) }
            BLAS.setThreads(1)
            #expect(BLAS.threads == 1)
        }
    }
}
