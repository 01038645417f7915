import ArgumentParser
import Foundation
import LecternRender
import LecternRunner
import LecternTranscript

/// The options `run` and `watch` share: where the transcript goes and how cells run.
struct RenderOptions: ParsableArguments {
    @Option(name: .customLong("out"), help: ArgumentHelp("Folder for the transcript files (default: output; for `lectern preview FOLDER`, site, as `lectern build` writes).", valueName: "dir"))
    var givenOutputFolder: String?

    /// `--out`, else `output` (a course previewed as a site: `site`, where `lectern build` writes it).
    func outputFolder(forCourse course: Bool = false) -> String { givenOutputFolder ?? (course ? "site" : "output") }

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
        return URL(fileURLWithPath: outputFolder()).appendingPathComponent(stem + ".html").standardizedFileURL.path
    }

    /// The library's rendering of a notebook with these options (nil, after saying why, without a template);
    /// prepares the engine and installs the Ctrl-C handling the run consults.
    func rendering(for notebook: String, resume: Bool = false, course: Bool = false) -> LessonRendering? {
        let renderer: HTMLTranscriptRenderer
        do { renderer = try TranscriptTemplate.renderer(explicit: template, notebook: notebook, executableFolder: executableFolder) } catch {
            printError("error: \(error)")
            return nil
        }
        engine.prepare()
        Interruption.install()
        let options = ExecutionOptions(cache: !noCache, refresh: Set(refresh), keepGoing: keepGoing, resume: resume)
        return LessonRendering(execution: Execution(options: options, progress: quiet ? SilentProgress() : TerminalProgress(),
                                                    isInterrupted: { Interruption.requested }),
                               output: TranscriptOutput(folder: outputFolder(forCourse: course), renderer: renderer, ipynb: extraFormats.contains(.ipynb)))
    }
}

/// The folder of the running `lectern`, where its own templates are looked for last.
let executableFolder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path

/// Renders a notebook once and prints the outcome. Returns the exit status (docs/reliability.md) and the
/// transcript, when there is one.
func render(_ notebookOptions: NotebookOptions, _ options: RenderOptions, resume: Bool = false) -> Int32 {
    guard let rendering = options.rendering(for: notebookOptions.notebook, resume: resume) else { return 2 }
    return report(rendering.render(notebookOptions.source), quiet: options.quiet)
}

/// Prints what rendering a lesson gave (problems on standard error; the files written unless `quiet`)
/// and returns its exit status.
func report(_ rendered: RenderedLesson, quiet: Bool) -> Int32 {
    if let failure = rendered.outputFailure {
        printError("error: \(failure)")
        return 2
    }
    guard let transcript = rendered.transcript else {
        report(rendered.problems)
        return 1
    }
    KernelNotices.print(quiet: quiet)
    transcript.diagnostics.forEach(printError)
    if let failure = transcript.firstFailure, let message = failure.error { printError(message) }
    if !quiet {
        let reused = transcript.directiveRecords.filter(\.cached).count
        print("\(transcript.status == .ok ? "Rendered" : "Wrote") \(rendered.written.joined(separator: ", "))"
            + (reused > 0 ? " (\(reused) cell\(reused == 1 ? "" : "s") from the cache)" : ""))
    }
    if let status = Interruption.exitStatus { return status }
    return transcript.status == .ok ? 0 : 1
}
