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

    /// The navigation of lesson `current` of `lessons`, linking to `index`.
    public init(courseTitle: String, index: String = "index.html", lessons: [Link], current: Int) {
        self.courseTitle = courseTitle
        self.index = index
        self.lessons = lessons
        self.current = current
    }

    public var previous: Link? { current > 0 ? lessons[current - 1] : nil }
    public var next: Link? { current + 1 < lessons.count ? lessons[current + 1] : nil }

    /// The values the template's `{{#site}}` sections see.
    var context: [String: Any] {
        var values: [String: Any] = [
            "courseTitle": courseTitle,
            "index": index,
            "lessons": lessons.enumerated().map { ["title": $1.title, "href": $1.href, "isCurrent": $0 == current] },
        ]
        if let previous { values["previous"] = ["title": previous.title, "href": previous.href] }
        if let next { values["next"] = ["title": next.title, "href": next.href] }
        return values
    }
}
