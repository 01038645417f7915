import COpenBLAS
import Foundation

/// The BLAS library the engine multiplies matrices with (OpenBLAS), and its threads.
public enum BLAS {
    /// OpenBLAS's own description: version, target core, threading model.
    public static var configuration: String {
        guard let text = openblas_get_config() else { return "OpenBLAS" }
        return String(cString: text).trimmingCharacters(in: " ")
    }

    /// The number of threads OpenBLAS uses for one call.
    public static var threads: Int { Int(openblas_get_num_threads()) }

    /// Sets the number of OpenBLAS threads (the engine owns the cores during a run).
    public static func setThreads(_ count: Int) {
        _ = threadsPrepared
        openblas_set_num_threads(Int32(count))
    }

    /// Lets OpenBLAS's workers sleep as soon as a product is done. By default they spin, calling
    /// sched_yield, for 2²⁸ cycles (about 70 ms) before sleeping; the engine's own passes between
    /// products run on both cores, and a spinning worker competes with them for one. With the
    /// shortest timeout OpenBLAS accepts (2⁴ cycles), the course notebook's training steps ran
    /// about 12% faster (docs/engine.md#performance). OpenBLAS reads OPENBLAS_THREAD_TIMEOUT when
    /// its pool starts, so the pool is restarted with it; a timeout set by the user is kept.
    /// Evaluated once, by the first call into OpenBLAS (other threads wait for it).
    @usableFromInline
    static let threadsPrepared: Void = {
        setenv("OPENBLAS_THREAD_TIMEOUT", "4", 0)
        openblas_read_env()
        _ = blas_thread_shutdown_()
    }()

    /// C = alpha · op(A) · op(B) + beta · C for row-major matrices, where op(A) is m×k and op(B) is k×n.
    /// Leading dimensions are the row strides of the matrices as stored.
    @inlinable
    public static func sgemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
                             a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                             beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        _ = threadsPrepared
        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}

private extension String {
    func trimmingCharacters(in character: Character) -> String {
        var text = Substring(self)
        while text.first == character { text.removeFirst() }
        while text.last == character { text.removeLast() }
        return String(text)
    }
}
