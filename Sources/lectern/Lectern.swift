import ArgumentParser
import LecternRunner

@main
struct Lectern: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lectern",
        abstract: "Run Markdown course notebooks that fine-tune BERT, as reproducible documents.",
        version: LecternVersion.current,
        subcommands: [Run.self, Watch.self, New.self, Export.self, Check.self, Tokenize.self, Doctor.self]
    )
}
