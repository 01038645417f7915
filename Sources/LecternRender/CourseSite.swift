import Foundation
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
        let layout = CourseLayout(course: course, siteFolder: outputFolder)
        let output = TranscriptOutput(folder: outputFolder, renderer: renderer)
        var site = BuiltSite()
        for (position, path) in course.lessons.enumerated() {
            if execution.isInterrupted() { break }
            announce("[\(position + 1)/\(course.lessons.count)] \(path)")
            let transcript: Transcript
            switch layout.parsed[position] {
            case let .failure(problems): transcript = Execution.rejected(path, problems: problems.all)
            case let .success(lesson): transcript = execution.run(lesson)
            }
            _ = try output.write(transcript, stem: layout.stems[position], lesson: nil, site: layout.navigation(at: position))
            site.lessons.append(CoursePages.Lesson(transcript: transcript, page: layout.page(position)))
        }
        if let pdf {
            do {
                for (position, lesson) in site.lessons.enumerated() {
                    announce("PDF \(position + 1)/\(site.lessons.count): \(layout.stems[position]).pdf")
                    try PrintToPDF.printPage(layout.file(lesson.page), to: layout.file(layout.stems[position] + ".pdf"), browser: pdf.browser)
                    site.lessons[position].pdf = layout.stems[position] + ".pdf"
                }
                try PrintToPDF.join(layout.stems.map { layout.file($0 + ".pdf") }, to: layout.file("course.pdf"), joiner: pdf.joiner)
            } catch {
                throw OutputFailure("\(error)")
            }
        }
        try layout.writeFrontPages(site.lessons, coursePDF: pdf == nil ? nil : "course.pdf", frozen: execution.options.frozen)
        site.index = layout.index
        site.warnings = layout.missingFileWarnings
        return site
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
