import ArgumentParser
import LecternEngine

/// `--threads N`, shared by the commands that run the engine.
struct EngineOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Threads for the matrix products and the passes between them (default: every core, or OPENBLAS_NUM_THREADS).",
                               valueName: "n"))
    var threads: Int?

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be 1 or more, but it is \(threads).") }
    }

    /// Chooses the BLAS kernels (as OpenBLAS would on a CPU it does not know, when asked) and sets
    /// the thread count, before any other thread starts.
    func prepare(asOnAnUnknownCPU: Bool = false) {
        if asOnAnUnknownCPU { BLAS.prepareAsOnAnUnknownCPU() } else { BLAS.prepare() }
        if let threads { BLAS.setThreads(threads) }
    }
}
