import Foundation
import LecternFiles
import LecternNotebook
import LecternTranscript

/// A course laid out as a site: each lesson's page name and title, the navigation each page carries, the
/// files the prose links to, and the front pages (index and execution report). `CourseSite` builds the
/// whole site with it; `lectern preview FOLDER` renders one lesson at a time into it.
public struct CourseLayout: Sendable {
    public let course: Course
    /// The site's folder as given, and standardized (for the pages' links).
    public let outputFolder: String
    let siteFolder: String
    /// Each lesson parsed once, in the course's order (titles for the navigation; the run uses them too).
    public let parsed: [Result<ParsedLesson, Diagnostics>]
    /// Each lesson's page name without `.html` (its notebook's name).
    public let stems: [String]
    let links: [SiteNavigation.Link]
    let resources: SiteResources

    public init(course: Course, siteFolder: String) {
        self.course = course
        outputFolder = siteFolder
        self.siteFolder = URL(fileURLWithPath: siteFolder).standardizedFileURL.path
        parsed = course.lessons.map { path in Result { () throws(Diagnostics) in try LessonSource(path: path).parse() } }
        stems = course.lessons.map { URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent }
        links = zip(parsed, stems).map { lesson, stem in
            SiteNavigation.Link(title: (try? lesson.get().notebook.title) ?? stem, href: stem + ".html")
        }
        resources = SiteResources(siteFolder: self.siteFolder,
                                  projectFolder: URL(fileURLWithPath: course.folder).standardizedFileURL.deletingLastPathComponent().path)
    }

    /// The page of lesson `position` (`STEM.html`).
    public func page(_ position: Int) -> String { links[position].href }

    /// The navigation lesson `position`'s page carries.
    public func navigation(at position: Int) -> SiteNavigation {
        let pages = Dictionary(zip(course.lessons.map { ($0 as NSString).lastPathComponent }, links.map(\.href)), uniquingKeysWith: { first, _ in first })
        return SiteNavigation(courseTitle: course.title, lessons: links, current: position,
                              lessonFolder: URL(fileURLWithPath: course.lessons[position]).deletingLastPathComponent().standardizedFileURL.path,
                              siteFolder: siteFolder, pages: pages, resources: resources)
    }

    /// Copies the files the pages link to and writes the index and the execution report for `lessons`
    /// (in the course's order; a preview writes them with the lessons run so far).
    public func writeFrontPages(_ lessons: [CoursePages.Lesson], coursePDF: String? = nil, frozen: Bool = false) throws(OutputFailure) {
        do {
            try resources.write()
            try AtomicFile.write(CoursePages.index(title: course.title, lessons: lessons, coursePDF: coursePDF), to: file("index.html"))
            try AtomicFile.write(CoursePages.report(title: course.title, lessons: lessons, frozen: frozen), to: file("report.html"))
        } catch {
            throw OutputFailure("\(error)")
        }
    }

    /// The site's front page.
    public var index: String { file("index.html") }

    /// A warning for each link to a file that does not exist, at the lesson's line (the site shows its text without the link).
    public var missingFileWarnings: [String] {
        var warned = Set<String>(), warnings: [String] = []
        let lessons = zip(course.lessons, parsed).map { ($0, try? $1.get().notebook) }
        for (link, folder, reason) in resources.missing {
            let lesson = lessons.first { URL(fileURLWithPath: $0.0).deletingLastPathComponent().standardizedFileURL.path == folder }
            let place = lesson.map { lesson in lesson.0 + (lesson.1?.proseLine(containing: link).map { ":\($0)" } ?? "") } ?? folder
            guard warned.insert(place + link).inserted else { continue }
            warnings.append("\(place): the link to \(link) \(reason); the site shows its text without the link.")
        }
        return warnings
    }

    func file(_ name: String) -> String { (outputFolder as NSString).appendingPathComponent(name) }
}
