import Foundation

/// How fast this machine multiplies matrices with the kernels and threads in use: the best of a
/// few products of 1024 × 1024 matrices (about a third of a second in all), in float32 (OpenBLAS's
/// sgemm) or with bfloat16 inputs (Lectern's AVX512-BF16 kernel; only where the CPU has it).
public struct MatrixProductSpeed: Sendable {
    public let size: Int
    public let gigaflops: Double

    public static func measure(size: Int = 1024, repeats: Int = 5, precision: MatrixPrecision = .float32) -> MatrixProductSpeed {
        let a = [Float](repeating: 0.5, count: size * size), b = [Float](repeating: 0.25, count: size * size)
        var c = [Float](repeating: 0, count: size * size)
        var best = Double.infinity
        for _ in 0..<repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            c.withUnsafeMutableBufferPointer { c in
                precision.multiply(transposeA: false, transposeB: false, m: size, n: size, k: size, a: a, lda: size, b: b, ldb: size,
                                   c: c.baseAddress!, ldc: size)
            }
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return MatrixProductSpeed(size: size, gigaflops: 2 * pow(Double(size), 3) / best / 1e9)
    }
}
