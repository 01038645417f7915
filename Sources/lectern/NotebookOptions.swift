import ArgumentParser
import Foundation
import LecternNotebook
import LecternRunner

/// The options `run` and `check` share: the notebook and its parameters.
struct NotebookOptions: ParsableArguments {
    @Argument(help: "The notebook (a Markdown file).")
    var notebook: String

    @Option(name: .customLong("set"), help: ArgumentHelp("Set a parameter (repeatable): --set learning_rate=2e-5.", valueName: "name=value"))
    var assignments: [String] = []

    @Option(name: .customLong("params"), help: ArgumentHelp("A YAML file of parameter values.", valueName: "file"))
    var parametersFile: String?

    /// Parses the notebook and applies the overrides; throws every problem found.
    func load() throws(Diagnostics) -> (Notebook, ParameterBindings) {
        let parsed = try NotebookParser.parse(contentsOf: notebook, directives: DirectiveRegistry.standard.names)
        var bindings = ParameterBindings(frontMatter: parsed.frontMatter)
        var problems: [Diagnostic] = []
        if let parametersFile {
            do { try bindings.apply(parametersFile: parametersFile) } catch { problems += error.all }
        }
        for assignment in assignments {
            do { try bindings.apply(assignment: assignment) } catch { problems.append(error) }
        }
        if !problems.isEmpty { throw Diagnostics(problems) }
        return (parsed, bindings)
    }
}

func report(_ diagnostics: [Diagnostic]) {
    for diagnostic in diagnostics { printError(diagnostic.description) }
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
