import COpenBLAS
import Foundation

/// The BLAS library the engine multiplies matrices with (OpenBLAS): its kernels and its threads.
public enum BLAS {
    /// OpenBLAS's own description: version, target core, threading model.
    public static var configuration: String {
        guard let text = openblas_get_config() else { return "OpenBLAS" }
        return String(cString: text).trimmingCharacters(in: " ")
    }

    /// "OpenBLAS 0.3.21".
    public static var version: String {
        configuration.split(separator: " ").prefix(2).joined(separator: " ")
    }

    /// The kernel set OpenBLAS runs now, as it names it ("Cooperlake", "Prescott").
    static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// The kernel set in use and who chose it (the first call into OpenBLAS decides, once).
    public static var kernels: BLASKernels {
        _ = prepared
        return chosenKernels
    }

    /// The number of threads OpenBLAS uses for one call; the engine's passes between products use as many.
    public static var threads: Int {
        _ = prepared
        return Int(openblas_get_num_threads())
    }

    /// Sets the number of threads for products and the passes between them (the engine owns the cores during a run).
    public static func setThreads(_ count: Int) {
        _ = prepared
        openblas_set_num_threads(Int32(count))
    }

    /// Chooses the kernels and prepares the threads before the first product. Call it early in a
    /// program, before it starts threads of its own: choosing kernels sets OPENBLAS_CORETYPE for a moment.
    public static func prepare() { _ = prepared }

    /// Call before the first use to start from OpenBLAS's generic kernels, as it does on a CPU it does
    /// not know (`lectern doctor --unknown-cpu`): Lectern's choice must then replace them.
    public static func prepareAsOnAnUnknownCPU() {
        actAsOnUnknownCPU = true
        prepare()
    }

    nonisolated(unsafe) private static var actAsOnUnknownCPU = false

    private static let chosenKernels: BLASKernels = {
        let forced = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"].flatMap { $0.isEmpty ? nil : $0 }
        if actAsOnUnknownCPU, forced == nil { CoreSwitch.available?.use(OpenBLASCore.prescott.name) }
        return BLASKernels.choose(for: .current, forced: forced, switcher: CoreSwitch.available)
    }()

    /// Evaluated once, by the first call into OpenBLAS (other threads wait for it).
    ///
    /// Lets OpenBLAS's workers sleep as soon as a product is done. By default they spin, calling
    /// sched_yield, for 2²⁸ cycles (about 70 ms) before sleeping; the engine's own passes between
    /// products run on both cores, and a spinning worker competes with them for one. With the
    /// shortest timeout OpenBLAS accepts (2⁴ cycles), the course notebook's training steps ran
    /// about 12% faster (docs/engine.md#performance). OpenBLAS reads OPENBLAS_THREAD_TIMEOUT when
    /// its pool starts, so the pool is restarted with it; a timeout set by the user is kept.
    @usableFromInline
    static let prepared: Void = {
        _ = chosenKernels
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
        _ = prepared
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
