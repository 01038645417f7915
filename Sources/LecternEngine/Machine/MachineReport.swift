import Foundation

/// What runs the engine's arithmetic, for run headers, `lectern doctor` and benchmark reports:
/// the CPU, its vector units, the BLAS kernels and the threads.
public enum MachineReport {
    /// The cores this process may run on (its CPU affinity, as `nproc` counts them).
    public static var cores: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// "2 (every core)", "1 (OPENBLAS_NUM_THREADS)", "1 of 2 cores".
    static var threadSummary: String {
        let threads = BLAS.threads
        if threads == cores { return "\(threads) (every core)" }
        if let set = ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"], Int(set) == threads { return "\(threads) (OPENBLAS_NUM_THREADS)" }
        return "\(threads) of \(cores) cores"
    }

    /// "AMD EPYC (AMD family 26, model 2), 2 cores": the run header's CPU line.
    public static func processor(_ cpu: CPU = .current) -> String { "\(cpu.description), \(cores) core\(cores == 1 ? "" : "s")" }

    /// This machine's `processor`.
    public static var processor: String { processor() }

    /// Label and value pairs, in display order.
    public static func lines(cpu: CPU = .current) -> [(label: String, value: String)] {
        let kernels = BLAS.kernels
        return [
            ("CPU", processor(cpu)),
            ("Vector units", cpu.featureSummary),
            ("BLAS", "\(BLAS.version), \(kernels.summary)"),
            ("Threads", threadSummary),
        ]
    }
}
