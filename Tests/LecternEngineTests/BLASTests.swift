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

    /// `count` values in [-1, 1) from a linear congruential generator.
    static func values(_ count: Int, _ state: inout UInt64) -> [Float] {
        (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(Int(state >> 40) - (1 << 23)) / Float(1 << 23)
        }
    }

    /// `BLASKernels.accumulationBlock`, the arithmetic that makes rows independent (so evaluation may join
    /// batches): for the three products a layer runs (Y = X·Wᵀ + b; ∂W += ∂Yᵀ·X; ∂X = ∂Y·W), of the engine's
    /// sizes, with 1, 2 and 3 blocks of k and a rest that is halved, every element is bit for bit C plus each
    /// block's fused multiply-add chain. Kernel sets without a known block are not held to it.
    @Test(.enabled(if: BLAS.kernels.accumulationBlock != nil, "\(BLAS.kernels.core)'s products add up in another order"),
          arguments: [(false, true, 456, 384, 384, Float(1)), (false, true, 40, 1536, 1536, 1), (false, true, 13, 768, 3072, 1),
                      (true, false, 384, 96, 700, 1), (true, false, 64, 384, 517, 1), (false, false, 200, 384, 1536, 0), (false, false, 7, 768, 2000, 0)])
    func productsAddUpBlockByBlock(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, beta: Float) throws {
        let block = try #require(BLAS.kernels.accumulationBlock)
        var state = UInt64(m * 31 + n * 7 + k)
        let a = Self.values(m * k, &state), b = Self.values(k * n, &state), c0 = Self.values(m * n, &state)
        var c = c0
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    BLAS.sgemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, a: a.baseAddress!, lda: transposeA ? m : k,
                               b: b.baseAddress!, ldb: transposeB ? k : n, beta: beta, c: c.baseAddress!, ldc: n)
                }
            }
        }
        var blocks: [Range<Int>] = [], start = 0
        while start < k {
            let left = k - start, size = left >= 2 * block ? block : left > block ? (left + 1) / 2 : left
            blocks.append(start..<(start + size))
            start += size
        }
        var differing = 0
        for i in 0..<m {
            for j in 0..<n {
                var expected = beta == 0 ? 0 : c0[i * n + j]
                for range in blocks {
                    var sum: Float = 0
                    for p in range { sum.addProduct(transposeA ? a[p * m + i] : a[i * k + p], transposeB ? b[j * k + p] : b[p * n + j]) }
                    expected = expected + sum
                }
                if expected.bitPattern != c[i * n + j].bitPattern { differing += 1 }
            }
        }
        #expect(differing == 0, "\(differing) of \(m * n) elements, \(BLAS.kernels.core) kernels, blocks \(blocks)")
    }

    /// With independent rows, a linear layer's rows come out the same in a product of any length, at any offset
    /// (what `JoinedBatches` relies on, checked directly).
    @Test(.enabled(if: BLAS.kernels.rowsAreIndependent, "\(BLAS.kernels.core)'s products let rows depend on their neighbours"),
          arguments: [(384, 384), (1536, 384), (384, 1536), (768, 768)])
    func withIndependentRowsARowIsTheSameInAProductOfAnyLength(outFeatures n: Int, inFeatures k: Int) {
        var state: UInt64 = 7
        let rows = 96
        let x = Self.values(rows * k, &state), w = Self.values(n * k, &state).map { $0 * 0.05 }, bias = Self.values(n, &state)
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
