import ArgumentParser
import Foundation
import LecternNotebook
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

    @Flag(help: "Continue interrupted training: `train` cells start from the newest checkpoint in their output_dir.")
    var resume = false

    @Flag(help: "Run every cell; neither reuse nor store results in .lectern/cache beside the notebook.")
    var noCache = false

    @Option(help: ArgumentHelp("Run this cell even if its result is cached: a directive name or the line of its fence (repeatable).",
                               valueName: "cell"))
    var refresh: [String] = []

    func run() throws {
        let executableFolder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
        let notebookFolder = URL(fileURLWithPath: options.notebook).deletingLastPathComponent().path
        guard let templatePath = template ?? TranscriptWriter.findTemplate(from: [notebookFolder, FileManager.default.currentDirectoryPath, executableFolder]) else {
            printError("error: cannot find templates/transcript.html.mustache near the notebook, the current folder or lectern itself; pass --template FILE.")
            throw ExitCode(2)
        }
        let renderer: HTMLTranscriptRenderer
        do { renderer = try HTMLTranscriptRenderer(templateAt: templatePath) } catch {
            printError("error: \(error)")
            throw ExitCode(2)
        }

        let transcript: Transcript
        do {
            let (notebook, bindings) = try options.load()
            Interruption.install()
            let progress: any ProgressReporter = quiet ? SilentProgress() : TerminalProgress()
            let context = RunContext(notebookPath: notebook.path, baseFolder: notebookFolder, seed: bindings.seed ?? 42, progress: progress,
                                     isInterrupted: { Interruption.requested }, resume: resume,
                                     cache: noCache ? nil : CellCache(besideNotebook: notebook.path), refresh: Set(refresh))
            transcript = NotebookRunner(keepGoing: keepGoing).run(notebook, bindings: bindings, context: context,
                                                                  runInfo: RunInfo.current(notebook: notebook.path))
        } catch {
            // A notebook that cannot be parsed still gets a transcript saying why (unless there is no such file).
            guard FileManager.default.fileExists(atPath: options.notebook) else {
                report(error.all)
                throw ExitCode(1)
            }
            transcript = NotebookRunner.rejected(notebookPath: options.notebook, problems: error.all,
                                                 runInfo: RunInfo.current(notebook: options.notebook))
        }

        let stem = URL(fileURLWithPath: options.notebook).deletingPathExtension().lastPathComponent
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
        if let status = Interruption.exitStatus { throw ExitCode(status) }
        if transcript.status != .ok { throw ExitCode(1) }
    }
}
