import ArgumentParser
import Foundation
import LecternRunner
import LecternTranscript

/// `lectern run NOTEBOOK`: run every cell and write the transcript.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run a notebook and write its transcript (HTML, Markdown, JSON).")

    @OptionGroup var options: NotebookOptions

    @Option(name: .customLong("out"), help: ArgumentHelp("Folder for the transcript files.", valueName: "dir"))
    var outputFolder = "output"

    @Option(help: ArgumentHelp("The HTML template (default: templates/transcript.html.mustache of this project).", valueName: "file"))
    var template: String?

    @Flag(help: "After a failure, still run the cells that do not depend on the failed one.")
    var keepGoing = false

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    func run() throws {
        let (notebook, bindings) = try options.load()
        let executableFolder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
        let notebookFolder = URL(fileURLWithPath: notebook.path).deletingLastPathComponent().path
        guard let templatePath = template ?? TranscriptWriter.findTemplate(from: [notebookFolder, FileManager.default.currentDirectoryPath, executableFolder]) else {
            printError("error: cannot find templates/transcript.html.mustache near the notebook, the current folder or lectern itself; pass --template FILE.")
            throw ExitCode(2)
        }
        let renderer: HTMLTranscriptRenderer
        do { renderer = try HTMLTranscriptRenderer(templateAt: templatePath) } catch {
            printError("error: \(error)")
            throw ExitCode(2)
        }

        let progress: any ProgressReporter = quiet ? SilentProgress() : TerminalProgress()
        let context = RunContext(notebookPath: notebook.path, baseFolder: notebookFolder, seed: bindings.seed ?? 42, progress: progress)
        let transcript = NotebookRunner(keepGoing: keepGoing).run(notebook, bindings: bindings, context: context, runInfo: RunInfo.current(notebook: notebook.path))

        let stem = URL(fileURLWithPath: notebook.path).deletingPathExtension().lastPathComponent
        let paths: [String]
        do {
            paths = try TranscriptWriter(folder: outputFolder, renderer: renderer).write(transcript, stem: stem)
        } catch {
            printError("error: \(error)")
            throw ExitCode(2)
        }
        if !transcript.diagnostics.isEmpty { transcript.diagnostics.forEach(printError) }
        if let failure = transcript.firstFailure, let message = failure.error { printError(message) }
        if !quiet {
            print("\(transcript.status == .ok ? "Rendered" : "Wrote") \(paths.joined(separator: ", "))")
        }
        if transcript.status != .ok { throw ExitCode(1) }
    }
}
