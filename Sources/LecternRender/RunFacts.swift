import Foundation
import LecternEngine
import LecternRunner
import LecternTranscript

/// Facts recorded in every transcript so that a run can be reproduced, and what the machine's
/// kernels mean for it.
public enum RunFacts {
    public static func current(notebook: String) -> [(label: String, value: String)] {
        [("Lectern", LecternVersion.current), ("Notebook", notebook), ("Machine", operatingSystem)] + MachineReport.lines()
    }

    /// "Linux 6.1.0-28-amd64 x86_64".
    public static var operatingSystem: String {
        var system = utsname()
        uname(&system)
        func text<T>(_ field: T) -> String {
            withUnsafeBytes(of: field) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }
        return "\(text(system.sysname)) \(text(system.release)) \(text(system.machine))"
    }

    /// Adds the kernels' warnings and notes (what this CPU means for speed and exactness) to a transcript.
    public static func annotate(_ transcript: inout Transcript) {
        transcript.warnings += BLAS.kernels.warnings
        transcript.notes += BLAS.kernels.notes
    }
}
