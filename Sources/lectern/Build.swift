import ArgumentParser
import Foundation
import LecternFiles
import LecternNotebook
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
        guard let renderer = transcriptRenderer(for: course.lessons[0], template: template) else { throw ExitCode(2) }
        let printers = pdf ? (PrintToPDF.browser, PrintToPDF.joiner) : (nil, nil)
        if pdf, printers.0 == nil || printers.1 == nil {
            printError("error: --pdf prints through headless Chromium and joins with pdfunite; install them: apt-get install chromium poppler-utils")
            throw ExitCode(2)
        }
        engine.prepare()
        Interruption.install()
        let started = Date()
        let parsed = course.lessons.map { path in Result { () throws(Diagnostics) in try NotebookParser.parse(contentsOf: path, directives: DirectiveRegistry.standard.names) } }
        let stems = course.lessons.map { URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent }
        let links = zip(parsed, stems).map { notebook, stem in
            SiteNavigation.Link(title: (try? notebook.get().title) ?? stem, href: stem + ".html")
        }
        var lessons: [CoursePages.Lesson] = []
        let resources = SiteResources(siteFolder: URL(fileURLWithPath: outputFolder).standardizedFileURL.path,
                                      projectFolder: URL(fileURLWithPath: folder).standardizedFileURL.deletingLastPathComponent().path)
        for (position, path) in course.lessons.enumerated() {
            // Ctrl-C: the lesson running stops at its next safe point; later lessons do not start.
            if Interruption.requested { break }
            if !quiet { print("[\(position + 1)/\(course.lessons.count)] \(path)") }
            var transcript = runLesson(path, parsed[position])
            RunInfo.annotate(&transcript, quiet: true)
            let site = SiteNavigation(courseTitle: course.title, lessons: links, current: position,
                                      lessonFolder: URL(fileURLWithPath: path).deletingLastPathComponent().standardizedFileURL.path,
                                      siteFolder: URL(fileURLWithPath: outputFolder).standardizedFileURL.path,
                                      pages: Dictionary(zip(course.lessons.map { ($0 as NSString).lastPathComponent }, links.map(\.href)), uniquingKeysWith: { first, _ in first }),
                                      resources: resources)
            do {
                try TranscriptWriter(folder: outputFolder, renderer: renderer).write(transcript, stem: stems[position], site: site)
            } catch {
                printError("error: \(error)")
                throw ExitCode(2)
            }
            lessons.append(CoursePages.Lesson(transcript: transcript, page: links[position].href))
        }
        if let browser = printers.0, let joiner = printers.1 {
            do {
                for (position, lesson) in lessons.enumerated() {
                    if !quiet { print("PDF \(position + 1)/\(lessons.count): \(stems[position]).pdf") }
                    try PrintToPDF.printPage((outputFolder as NSString).appendingPathComponent(lesson.page),
                                         to: (outputFolder as NSString).appendingPathComponent(stems[position] + ".pdf"), browser: browser)
                    lessons[position].pdf = stems[position] + ".pdf"
                }
                try PrintToPDF.join(stems.map { (outputFolder as NSString).appendingPathComponent($0 + ".pdf") },
                                    to: (outputFolder as NSString).appendingPathComponent("course.pdf"), joiner: joiner)
            } catch {
                printError("error: \(error)")
                throw ExitCode(2)
            }
        }
        do {
            try resources.write()
        } catch {
            printError("error: \(error)")
            throw ExitCode(2)
        }
        warnAboutMissingFiles(resources.missing, lessons: zip(course.lessons, parsed).map { ($0, try? $1.get()) })
        do {
            try AtomicFile.write(CoursePages.index(title: course.title, lessons: lessons, coursePDF: pdf ? "course.pdf" : nil), to: (outputFolder as NSString).appendingPathComponent("index.html"))
            try AtomicFile.write(CoursePages.report(title: course.title, lessons: lessons, frozen: frozen),
                                 to: (outputFolder as NSString).appendingPathComponent("report.html"))
        } catch {
            printError("error: \(error)")
            throw ExitCode(2)
        }
        let records = lessons.flatMap(\.transcript.directiveRecords)
        let failed = lessons.filter { $0.transcript.status != .ok }
        for lesson in failed {
            for problem in lesson.transcript.diagnostics { printError(problem) }
            if let failure = lesson.transcript.firstFailure, let message = failure.error { printError(message) }
        }
        if !quiet {
            let computed = records.filter { !$0.cached && $0.status != .skipped }.count
            let seconds = Date().timeIntervalSince(started)
            print("Built \((outputFolder as NSString).appendingPathComponent("index.html")): \(lessons.count) lessons, "
                + "\(records.filter(\.cached).count) cells from the cache, \(computed) run, in \(String(format: "%.2f", seconds)) s"
                + (failed.isEmpty ? "" : "; failed: " + failed.map(\.transcript.notebook).joined(separator: ", ")))
        }
        if let status = Interruption.exitStatus { throw ExitCode(status) }
        if !failed.isEmpty { throw ExitCode(1) }
    }

    /// A warning for each link to a file that does not exist, at the lesson's line (the site shows its text without the link).
    private func warnAboutMissingFiles(_ missing: [(link: String, folder: String, reason: String)], lessons: [(path: String, notebook: Notebook?)]) {
        var warned = Set<String>()
        for (link, folder, reason) in missing {
            let lesson = lessons.first { URL(fileURLWithPath: $0.path).deletingLastPathComponent().standardizedFileURL.path == folder }
            let place = lesson.map { lesson in lesson.path + (lesson.notebook?.proseLine(containing: link).map { ":\($0)" } ?? "") } ?? folder
            guard warned.insert(place + link).inserted else { continue }
            printError("warning: \(place): the link to \(link) \(reason); the site shows its text without the link.")
        }
    }

    /// One lesson's transcript (a notebook that cannot be parsed gets a transcript saying why).
    private func runLesson(_ path: String, _ parsed: Result<Notebook, Diagnostics>) -> Transcript {
        switch parsed {
        case let .failure(problems):
            return NotebookRunner.rejected(notebookPath: path, problems: problems.all, runInfo: RunInfo.current(notebook: path))
        case let .success(notebook):
            return runNotebook(notebook, bindings: ParameterBindings(frontMatter: notebook.frontMatter), quiet: quiet, frozen: frozen)
        }
    }
}
