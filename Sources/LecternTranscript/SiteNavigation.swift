import Foundation
import LecternMarkdown

/// Where a lesson sits in a course site (`lectern build`): the links each lesson page shows to the
/// course index, every lesson, and the lessons before and after it.
public struct SiteNavigation: Sendable {
    public struct Link: Sendable {
        public var title: String
        public var href: String

        public init(title: String, href: String) {
            self.title = title
            self.href = href
        }
    }

    public var courseTitle: String
    public var index: String
    public var lessons: [Link]
    public var current: Int
    /// The lesson's folder and the site's (absolute), for the prose's relative links.
    public var lessonFolder: String
    public var siteFolder: String
    /// Lessons' notebook file names → their pages, so a link to another lesson's `.md` leads to its page.
    public var pages: [String: String]
    /// Where the other files the prose links to go in the site (nil: links lead to the files where they are).
    public var resources: SiteResources?

    /// The navigation of lesson `current` of `lessons`, linking to `index`.
    public init(courseTitle: String, index: String = "index.html", lessons: [Link], current: Int,
                lessonFolder: String = "", siteFolder: String = "", pages: [String: String] = [:], resources: SiteResources? = nil) {
        self.courseTitle = courseTitle
        self.index = index
        self.lessons = lessons
        self.current = current
        self.lessonFolder = lessonFolder
        self.siteFolder = siteFolder
        self.pages = pages
        self.resources = resources
    }

    /// Rewrites the relative `href` and `src` of prose HTML written beside the notebook so that they
    /// lead to the same place from the site: another lesson's notebook becomes its page, any other
    /// file (absolute paths too) its copy in the site (`resources`), or without resources a path from
    /// the site folder to it. Web addresses and anchors stay.
    public func relink(_ html: String) -> String {
        guard !lessonFolder.isEmpty, !siteFolder.isEmpty else { return html }
        if let resources {
            let folder = lessonFolder
            return SiteResources.relink(html) { path in pages[path] ?? resources.place(path, from: folder) }
        }
        let pattern = /(href|src)="([^"#:?]+)((?:[#?][^"]*)?)"/
        return html.replacing(pattern) { match in
            let (attribute, path, rest) = (match.output.1, String(match.output.2), match.output.3)
            guard !path.hasPrefix("/") else { return String(match.output.0) }
            if let page = pages[path] { return "\(attribute)=\"\(page)\(rest)\"" }
            let target = URL(fileURLWithPath: lessonFolder).appendingPathComponent(path).standardizedFileURL.path
            return "\(attribute)=\"\(Self.relativePath(to: target, from: siteFolder))\(rest)\""
        }
    }

    /// `target` as a path relative to the folder `base` (both absolute).
    static func relativePath(to target: String, from base: String) -> String {
        let to = target.split(separator: "/"), from = URL(fileURLWithPath: base).standardizedFileURL.path.split(separator: "/")
        let shared = zip(to, from).prefix { $0 == $1 }.count
        return (Array(repeating: "..", count: from.count - shared) + to.dropFirst(shared)).joined(separator: "/")
    }

    public var previous: Link? { current > 0 ? lessons[current - 1] : nil }
    public var next: Link? { current + 1 < lessons.count ? lessons[current + 1] : nil }

    /// The values the template's `{{#site}}` sections see.
    var context: [String: Any] {
        var values: [String: Any] = [
            "courseTitle": InlineMarkdown.html(courseTitle),
            "index": index,
            "lessons": lessons.enumerated().map { ["title": InlineMarkdown.html($1.title), "href": $1.href, "isCurrent": $0 == current] },
        ]
        if let previous { values["previous"] = ["title": InlineMarkdown.html(previous.title), "href": previous.href] }
        if let next { values["next"] = ["title": InlineMarkdown.html(next.title), "href": next.href] }
        return values
    }
}
