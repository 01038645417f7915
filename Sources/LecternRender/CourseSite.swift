import Foundation
import LecternFiles
import LecternNotebook
import LecternTranscript

/// Stage 4, the site: a course's lessons run and written as one site with navigation, the files their
/// prose links to, an index with search and an execution report, and on request PDF handouts (as a
/// Jupyter Book or a Quarto website is made from a folder of notebooks).
public struct CourseSite {
    public var outputFolder: String
    public var renderer: HTMLTranscriptRenderer
    /// How each lesson's cells run (`frozen` for `lectern build --frozen`).
    public var execution: Execution
    /// Print each lesson and the whole course to PDF with these programs (Chromium and pdfunite).
    public var pdf: (browser: String, joiner: String)?

    public init(outputFolder: String, renderer: HTMLTranscriptRenderer, execution: Execution, pdf: (browser: String, joiner: String)? = nil) {
        self.outputFolder = outputFolder
        self.renderer = renderer
        self.execution = execution
        self.pdf = pdf
    }

    /// Builds the site; `announce` hears each lesson and each PDF as it starts. An interruption stops the
    /// lesson running at its next safe point, and later lessons do not start.
    public func build(_ course: Course, announce: (String) -> Void = { _ in }) throws(OutputFailure) -> BuiltSite {
        let siteFolder = URL(fileURLWithPath: outputFolder).standardizedFileURL.path
        let parsed = course.lessons.map { path in Result { () throws(Diagnostics) in try LessonSource(path: path).parse() } }
        let stems = course.lessons.map { URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent }
        let links = zip(parsed, stems).map { lesson, stem in
            SiteNavigation.Link(title: (try? lesson.get().notebook.title) ?? stem, href: stem + ".html")
        }
        let pages = Dictionary(zip(course.lessons.map { ($0 as NSString).lastPathComponent }, links.map(\.href)), uniquingKeysWith: { first, _ in first })
        let resources = SiteResources(siteFolder: siteFolder,
                                      projectFolder: URL(fileURLWithPath: course.folder).standardizedFileURL.deletingLastPathComponent().path)
        let output = TranscriptOutput(folder: outputFolder, renderer: renderer)
        var site = BuiltSite()
        for (position, path) in course.lessons.enumerated() {
            if execution.isInterrupted() { break }
            announce("[\(position + 1)/\(course.lessons.count)] \(path)")
            let transcript: Transcript
            switch parsed[position] {
            case let .failure(problems): transcript = Execution.rejected(path, problems: problems.all)
            case let .success(lesson): transcript = execution.run(lesson)
            }
            let navigation = SiteNavigation(courseTitle: course.title, lessons: links, current: position,
                                            lessonFolder: URL(fileURLWithPath: path).deletingLastPathComponent().standardizedFileURL.path,
                                            siteFolder: siteFolder, pages: pages, resources: resources)
            _ = try output.write(transcript, stem: stems[position], lesson: nil, site: navigation)
            site.lessons.append(CoursePages.Lesson(transcript: transcript, page: links[position].href))
        }
        if let pdf {
            do {
                for (position, lesson) in site.lessons.enumerated() {
                    announce("PDF \(position + 1)/\(site.lessons.count): \(stems[position]).pdf")
                    try PrintToPDF.printPage(file(lesson.page), to: file(stems[position] + ".pdf"), browser: pdf.browser)
                    site.lessons[position].pdf = stems[position] + ".pdf"
                }
                try PrintToPDF.join(stems.map { file($0 + ".pdf") }, to: file("course.pdf"), joiner: pdf.joiner)
            } catch {
                throw OutputFailure("\(error)")
            }
        }
        do {
            try resources.write()
            try AtomicFile.write(CoursePages.index(title: course.title, lessons: site.lessons, coursePDF: pdf == nil ? nil : "course.pdf"), to: file("index.html"))
            try AtomicFile.write(CoursePages.report(title: course.title, lessons: site.lessons, frozen: execution.options.frozen), to: file("report.html"))
        } catch {
            throw OutputFailure("\(error)")
        }
        site.index = file("index.html")
        site.warnings = Self.missingFileWarnings(resources.missing, lessons: zip(course.lessons, parsed).map { ($0, try? $1.get().notebook) })
        return site
    }

    private func file(_ name: String) -> String { (outputFolder as NSString).appendingPathComponent(name) }

    /// A warning for each link to a file that does not exist, at the lesson's line (the site shows its text without the link).
    private static func missingFileWarnings(_ missing: [(link: String, folder: String, reason: String)], lessons: [(path: String, notebook: Notebook?)]) -> [String] {
        var warned = Set<String>(), warnings: [String] = []
        for (link, folder, reason) in missing {
            let lesson = lessons.first { URL(fileURLWithPath: $0.path).deletingLastPathComponent().standardizedFileURL.path == folder }
            let place = lesson.map { lesson in lesson.path + (lesson.notebook?.proseLine(containing: link).map { ":\($0)" } ?? "") } ?? folder
            guard warned.insert(place + link).inserted else { continue }
            warnings.append("\(place): the link to \(link) \(reason); the site shows its text without the link.")
        }
        return warnings
    }
}

/// What building a course site gave.
public struct BuiltSite {
    /// The lessons written, in the course's order (fewer than the course's after an interruption).
    public var lessons: [CoursePages.Lesson] = []
    /// The site's front page.
    public var index = ""
    /// Links to files that are missing or outside the course's project, each at its lesson's line.
    public var warnings: [String] = []

    public init() {}

    /// The lessons whose run failed.
    public var failed: [Transcript] { lessons.map(\.transcript).filter { $0.status != .ok } }
    /// Cells restored from the cache, and cells that ran.
    public var cachedCells: Int { lessons.flatMap(\.transcript.directiveRecords).filter(\.cached).count }
    public var computedCells: Int { lessons.flatMap(\.transcript.directiveRecords).filter { !$0.cached && $0.status != .skipped }.count }
}
