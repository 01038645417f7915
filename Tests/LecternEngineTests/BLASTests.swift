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
