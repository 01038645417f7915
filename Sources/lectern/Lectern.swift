import ArgumentParser
import CCPUID
import Foundation
import LecternRunner

@main
struct Lectern: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lectern",
        abstract: "Run Markdown course notebooks that fine-tune BERT, as reproducible documents.",
        version: LecternVersion.current,
        subcommands: [Run.self, Build.self, Watch.self, Preview.self, New.self, Export.self, Check.self, Reference.self, Tokenize.self, Doctor.self]
    )

    /// Checks that this CPU runs the engine's instructions before any of them runs.
    static func main() {
        if let missing = lectern_cpu_missing_for_engine() {
            printError("error: Lectern's engine is built for x86-64 CPUs with AVX2 and FMA (x86-64-v3: Intel since 2013, AMD since 2015), "
                + "and this CPU lacks \(String(cString: missing)), so it cannot run here (docs/engine.md, \"Portable builds\").")
            Foundation.exit(3)
        }
        main(nil)
    }
}
