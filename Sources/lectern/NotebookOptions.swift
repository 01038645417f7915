import ArgumentParser
import Foundation
import LecternNotebook
import LecternRender

/// The options `run` and `check` share: the notebook and its parameters.
struct NotebookOptions: ParsableArguments {
    @Argument(help: "The notebook (a Markdown file).")
    var notebook: String

    @Option(name: .customLong("set"), help: ArgumentHelp("Set a parameter (repeatable): --set learning_rate=2e-5.", valueName: "name=value"))
    var assignments: [String] = []

    @Option(name: .customLong("params"), help: ArgumentHelp("A YAML file of parameter values.", valueName: "file"))
    var parametersFile: String?

    /// The notebook and its parameter values, for the library's stages.
    var source: LessonSource { LessonSource(path: notebook, assignments: assignments, parametersFile: parametersFile) }

    /// Parses the notebook and applies the overrides; throws every problem found.
    func load() throws(Diagnostics) -> ParsedLesson { try source.parse() }
}

func report(_ diagnostics: [Diagnostic]) {
    for diagnostic in diagnostics { printError(diagnostic.description) }
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
