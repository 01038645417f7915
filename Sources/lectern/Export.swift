import ArgumentParser
import Foundation
import LecternExport
import LecternFiles
import LecternNotebook
import LecternRender
import LecternRunner

/// `lectern export NOTEBOOK --python | --ipynb`: the lesson as Hugging Face code, without running it.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a notebook as the equivalent transformers/datasets code: a Python script or a Jupyter notebook (no outputs).",
        discussion: "For a Jupyter notebook with Lectern's outputs attached, use `lectern run NOTEBOOK --to ipynb`.")

    @OptionGroup var options: NotebookOptions

    @Flag(help: "Write a Python script (STEM.py).")
    var python = false

    @Flag(help: "Write a Jupyter notebook (STEM.ipynb).")
    var ipynb = false

    @Option(name: .customLong("out"), help: ArgumentHelp("Folder for the files.", valueName: "dir"))
    var outputFolder = "output"

    func validate() throws {
        guard python || ipynb else { throw ValidationError("Choose --python, --ipynb or both.") }
    }

    func run() throws {
        let lesson: ParsedLesson
        do { lesson = try options.load() } catch {
            report(error.all)
            throw ExitCode(1)
        }
        let arguments: [Int: DirectiveArguments]
        switch NotebookRunner().resolvedArguments(lesson.notebook, bindings: lesson.bindings) {
        case let .success(resolved): arguments = resolved
        case let .failure(problems):
            report(problems.all)
            throw ExitCode(1)
        }
        let stem = URL(fileURLWithPath: lesson.notebook.path).deletingPathExtension().lastPathComponent
        var files: [(String, String)] = []
        if python { files.append((stem + ".py", NotebookExport.python(lesson.notebook, arguments: arguments, seed: lesson.seed, version: LecternVersion.current))) }
        if ipynb {
            files.append((stem + ".ipynb", NotebookExport.ipynb(lesson.notebook, arguments: arguments, transcript: nil, seed: lesson.seed, version: LecternVersion.current).serialized()))
        }
        for (name, text) in files {
            let path = (outputFolder as NSString).appendingPathComponent(name)
            do { try AtomicFile.write(text, to: path) } catch {
                printError("error: \(error)")
                throw ExitCode(2)
            }
            print("Wrote \(path)")
        }
    }
}
