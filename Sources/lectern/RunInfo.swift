import Foundation
import LecternEngine
import LecternRunner
import LecternTranscript

/// Facts recorded in every transcript so that a run can be reproduced, and what the machine's
/// kernels mean for it.
enum RunInfo {
    static func current(notebook: String) -> [(label: String, value: String)] {
        [("Lectern", LecternVersion.current), ("Notebook", notebook), ("Machine", operatingSystem)] + MachineReport.lines()
    }

    /// "Linux 6.1.0-28-amd64 x86_64".
    static var operatingSystem: String {
        var system = utsname()
        uname(&system)
        func text<T>(_ field: T) -> String {
            withUnsafeBytes(of: field) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }
        return "\(text(system.sysname)) \(text(system.release)) \(text(system.machine))"
    }

    /// Adds the kernels' warnings and notes to a transcript and prints them once per process
    /// (warnings even with --quiet).
    static func annotate(_ transcript: inout Transcript, quiet: Bool) {
        transcript.warnings += BLAS.kernels.warnings
        transcript.notes += BLAS.kernels.notes
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
