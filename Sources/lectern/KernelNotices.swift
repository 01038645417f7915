import LecternEngine

/// What this machine's kernels mean for a run (speed, exactness), printed once per process: warnings
/// always, notes unless quiet. The transcripts carry both (`RunFacts.annotate`).
enum KernelNotices {
    static func print(quiet: Bool) {
        if quiet { _ = warningsPrinted } else { _ = everythingPrinted }
    }

    private static let warningsPrinted: Void = {
        for warning in BLAS.kernels.warnings { printError("warning: \(warning)") }
    }()

    private static let everythingPrinted: Void = {
        _ = warningsPrinted
        for note in BLAS.kernels.notes { printError("note: \(note)") }
    }()
}
