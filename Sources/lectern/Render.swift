import ArgumentParser
import Foundation
import LecternEngine
import LecternExport
import LecternFiles
import LecternNotebook
import LecternRunner
import LecternTranscript

/// The options `run` and `watch` share: where the transcript goes and how cells run.
struct RenderOptions: ParsableArguments {
    @Option(name: .customLong("out"), help: ArgumentHelp("Folder for the transcript files.", valueName: "dir"))
    var outputFolder = "output"

    @Option(help: ArgumentHelp("The HTML template (default: templates/transcript.html.mustache of this project).", valueName: "file"))
    var template: String?

    @Flag(help: "After a failure, still run the cells that do not depend on the failed one.")
    var keepGoing = false

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    @Flag(help: "Run every cell; neither reuse nor store results in .lectern/cache beside the notebook.")
    var noCache = false

    @Option(help: ArgumentHelp("Run this cell even if its result is cached: a directive name or the line of its fence (repeatable).",
                               valueName: "cell"))
    var refresh: [String] = []

    @OptionGroup var engine: EngineOptions

    @Option(name: .customLong("to"), help: ArgumentHelp("Also write the transcript as `ipynb`: a Jupyter notebook of the equivalent Hugging Face code with Lectern's outputs.",
                                                        valueName: "format"))
    var extraFormats: [ExtraFormat] = []

    enum ExtraFormat: String, ExpressibleByArgument {
        case ipynb
    }

    /// The HTML transcript's path for a notebook.
    func htmlPath(for notebook: String) -> String {
        let stem = URL(fileURLWithPath: notebook).deletingPathExtension().lastPathComponent
        return URL(fileURLWithPath: outputFolder).appendingPathComponent(stem + ".html").standardizedFileURL.path
    }
}

/// The HTML renderer for a notebook's transcripts: `--template`, else the project's template found
/// near the notebook, the current folder or lectern itself. Nil (after saying why) when there is none.
func transcriptRenderer(for notebook: String, template: String?) -> HTMLTranscriptRenderer? {
    let executableFolder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
    let notebookFolder = URL(fileURLWithPath: notebook).deletingLastPathComponent().path
    guard let path = template ?? TranscriptWriter.findTemplate(from: [notebookFolder, FileManager.default.currentDirectoryPath, executableFolder]) else {
        printError("error: cannot find templates/transcript.html.mustache near the notebook, the current folder or lectern itself; pass --template FILE.")
        return nil
    }
    do { return try HTMLTranscriptRenderer(templateAt: path) } catch {
        printError("error: \(error)")
        return nil
    }
}

/// Runs a parsed notebook into its transcript, with the cell cache beside it (unless `cache` is false)
/// and the stop that Ctrl-C asks for (the caller installs `Interruption`): what `run`, `watch` and
/// `build` share.
func runNotebook(_ notebook: Notebook, bindings: ParameterBindings, quiet: Bool, resume: Bool = false, cache: Bool = true,
                 refresh: Set<String> = [], frozen: Bool = false, keepGoing: Bool = false) -> Transcript {
    let context = RunContext(notebookPath: notebook.path, baseFolder: URL(fileURLWithPath: notebook.path).deletingLastPathComponent().path,
                             seed: bindings.seed ?? 42, progress: quiet ? SilentProgress() : TerminalProgress(),
                             isInterrupted: { Interruption.requested }, resume: resume,
                             cache: cache ? CellCache(besideNotebook: notebook.path) : nil, refresh: refresh, frozen: frozen)
    return NotebookRunner(keepGoing: keepGoing).run(notebook, bindings: bindings, context: context, runInfo: RunInfo.current(notebook: notebook.path))
}

/// Runs a notebook once and writes its transcript as `STEM.html/.md/.json` (the notebook's name unless
/// `stem` is given; `titleSuffix` tells variants apart). Returns the exit status (docs/reliability.md)
/// and the transcript, when there is one.
func render(_ notebookOptions: NotebookOptions, _ options: RenderOptions, resume: Bool = false,
            stem chosenStem: String? = nil, titleSuffix: String = "") -> (status: Int32, transcript: Transcript?) {
    guard let renderer = transcriptRenderer(for: notebookOptions.notebook, template: options.template) else { return (2, nil) }
    options.engine.prepare()

    var transcript: Transcript
    var parsed: (notebook: Notebook, bindings: ParameterBindings)?
    do {
        let (notebook, bindings) = try notebookOptions.load()
        parsed = (notebook, bindings)
        Interruption.install()
        transcript = runNotebook(notebook, bindings: bindings, quiet: options.quiet, resume: resume, cache: !options.noCache,
                                 refresh: Set(options.refresh), keepGoing: options.keepGoing)
    } catch {
        // A notebook that cannot be parsed still gets a transcript saying why (unless there is no such file).
        guard FileManager.default.fileExists(atPath: notebookOptions.notebook) else {
            report(error.all)
            return (1, nil)
        }
        transcript = NotebookRunner.rejected(notebookPath: notebookOptions.notebook, problems: error.all,
                                             runInfo: RunInfo.current(notebook: notebookOptions.notebook))
    }
    transcript.title += titleSuffix
    RunInfo.annotate(&transcript, quiet: options.quiet)

    let stem = chosenStem ?? URL(fileURLWithPath: notebookOptions.notebook).deletingPathExtension().lastPathComponent
    let paths: [String]
    do {
        paths = try TranscriptWriter(folder: options.outputFolder, renderer: renderer).write(transcript, stem: stem)
    } catch {
        printError("error: \(error)")
        return (2, transcript)
    }
    var written = paths
    if options.extraFormats.contains(.ipynb), let parsed,
       case let .success(arguments) = NotebookRunner().resolvedArguments(parsed.notebook, bindings: parsed.bindings) {
        let path = (options.outputFolder as NSString).appendingPathComponent(stem + ".ipynb")
        let ipynb = NotebookExport.ipynb(parsed.notebook, arguments: arguments, transcript: transcript, seed: parsed.bindings.seed ?? 42, version: LecternVersion.current)
        do { try AtomicFile.write(ipynb.serialized(), to: path) } catch {
            printError("error: \(error)")
            return (2, transcript)
        }
        written.append(path)
    }
    if !transcript.diagnostics.isEmpty { transcript.diagnostics.forEach(printError) }
    if let failure = transcript.firstFailure, let message = failure.error { printError(message) }
    if !options.quiet {
        let paths = written
        let reused = transcript.directiveRecords.filter(\.cached).count
        print("\(transcript.status == .ok ? "Rendered" : "Wrote") \(paths.joined(separator: ", "))"
            + (reused > 0 ? " (\(reused) cell\(reused == 1 ? "" : "s") from the cache)" : ""))
    }
    if let status = Interruption.exitStatus { return (status, transcript) }
    return (transcript.status == .ok ? 0 : 1, transcript)
}
