import ArgumentParser
import Foundation
import LecternNotebook
import LecternRender
import LecternRunner
import LecternTranscript

/// `lectern build`: a folder of lessons as one site, as Jupyter Book or a Quarto website makes one.
struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build a folder of notebooks into one course site: each lesson's transcript with course navigation, an index with search, and an execution report.",
        discussion: "Lessons come in the order of the folder's course.yaml (title: and lessons:), else by file name. Cached cells are reused as in `lectern run`; with --frozen nothing the cache stores runs."
    )

    @Argument(help: "The folder of lessons.")
    var folder = "notebooks"

    @Option(name: .customLong("out"), help: ArgumentHelp("Folder for the site.", valueName: "dir"))
    var outputFolder = "site"

    @Flag(help: "Publish without recomputing: every train, evaluate and predict cell must come from the cache; one whose inputs changed is an error naming the lesson and the cell.")
    var frozen = false

    @Flag(help: "Also print each lesson to STEM.pdf and the whole course to course.pdf (needs Debian's chromium and poppler-utils).")
    var pdf = false

    @Option(help: ArgumentHelp("The HTML template for lessons (default: templates/transcript.html.mustache of this project).", valueName: "file"))
    var template: String?

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    @OptionGroup var engine: EngineOptions

    func run() throws {
        let course: Course
        do { course = try Course.load(folder: folder) } catch {
            report(error.all)
            throw ExitCode(1)
        }
        let renderer: HTMLTranscriptRenderer
        do { renderer = try TranscriptTemplate.renderer(explicit: template, notebook: course.lessons[0], executableFolder: executableFolder) } catch {
            printError("error: \(error)")
            throw ExitCode(2)
        }
        var printers: (browser: String, joiner: String)?
        if pdf {
            guard let browser = PrintToPDF.browser, let joiner = PrintToPDF.joiner else {
                printError("error: --pdf prints through headless Chromium and joins with pdfunite; install them: apt-get install chromium poppler-utils")
                throw ExitCode(2)
            }
            printers = (browser, joiner)
        }
        engine.prepare()
        Interruption.install()
        let started = Date()
        let execution = Execution(options: ExecutionOptions(frozen: frozen), progress: quiet ? SilentProgress() : TerminalProgress(),
                                  isInterrupted: { Interruption.requested })
        let site: BuiltSite
        do {
            site = try CourseSite(outputFolder: outputFolder, renderer: renderer, execution: execution, pdf: printers)
                .build(course, announce: { if !quiet { print($0) } })
        } catch {
            printError("error: \(error)")
            throw ExitCode(2)
        }
        KernelNotices.print(quiet: true)
        for warning in site.warnings { printError("warning: " + warning) }
        for transcript in site.failed {
            for problem in transcript.diagnostics { printError(problem) }
            if let failure = transcript.firstFailure, let message = failure.error { printError(message) }
        }
        if !quiet {
            print("Built \(site.index): \(site.lessons.count) lessons, \(site.cachedCells) cells from the cache, \(site.computedCells) run, in "
                + String(format: "%.2f", Date().timeIntervalSince(started)) + " s"
                + (site.failed.isEmpty ? "" : "; failed: " + site.failed.map(\.notebook).joined(separator: ", ")))
        }
        if let status = Interruption.exitStatus { throw ExitCode(status) }
        if !site.failed.isEmpty { throw ExitCode(1) }
    }
}
