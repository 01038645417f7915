import ArgumentParser
import LecternNotebook
import LecternRunner

/// `lectern check NOTEBOOK`: validation only; nothing runs.
struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check a notebook's directives and parameters without running it.")

    @OptionGroup var options: NotebookOptions

    func run() throws {
        let notebook: Notebook, bindings: ParameterBindings
        do { (notebook, bindings) = try options.load() } catch {
            report(error.all)
            throw ExitCode(1)
        }
        let problems = NotebookRunner().check(notebook, bindings: bindings)
        if !problems.isEmpty {
            report(problems)
            printError("\(problems.count) problem\(problems.count == 1 ? "" : "s") found; nothing was run.")
            throw ExitCode(1)
        }
        print("\(notebook.path): ok (\(notebook.directives.count) directive cells)")
    }
}
