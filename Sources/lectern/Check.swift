import ArgumentParser
import LecternNotebook
import LecternRender
import LecternRunner

/// `lectern check NOTEBOOK`: validation only; nothing runs.
struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check a notebook's directives and parameters without running it.")

    @OptionGroup var options: NotebookOptions

    func run() throws {
        let lesson: ParsedLesson
        do { lesson = try options.load() } catch {
            report(error.all)
            throw ExitCode(1)
        }
        let problems = NotebookRunner().check(lesson.notebook, bindings: lesson.bindings)
        if !problems.isEmpty {
            report(problems)
            printError("\(problems.count) problem\(problems.count == 1 ? "" : "s") found; nothing was run.")
            throw ExitCode(1)
        }
        print("\(lesson.notebook.path): ok (\(lesson.notebook.directives.count) directive cells)")
    }
}
