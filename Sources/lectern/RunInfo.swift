import Foundation
import LecternEngine
import LecternRunner

/// Facts recorded in every transcript so that a run can be reproduced.
enum RunInfo {
    static func current(notebook: String) -> [(label: String, value: String)] {
        var system = utsname()
        uname(&system)
        func text<T>(_ field: T) -> String {
            withUnsafeBytes(of: field) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }
        return [
            ("Lectern", LecternVersion.current),
            ("Notebook", notebook),
            ("Machine", "\(text(system.sysname)) \(text(system.release)) \(text(system.machine)), \(ProcessInfo.processInfo.activeProcessorCount) cores"),
            ("BLAS", "\(BLAS.configuration), \(BLAS.threads) threads"),
        ]
    }
}
