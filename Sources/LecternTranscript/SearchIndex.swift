import Foundation
import LecternMarkdown

/// What a course site's search looks through: for each lesson, its prose section by section and
/// each cell's outputs (tables, notices, texts), with the anchor that leads there on the page.
public struct SearchEntry: Sendable, Equatable {
    /// The page and anchor, e.g. `fine-tuning-bert.html#cell-4`.
    public var href: String
    public var lesson: String
    public var title: String
    public var text: String
}

extension Transcript {
    /// The entries of this transcript's page at `page`. Heading anchors are the ones the HTML
    /// renderer gives (the same slugs, in the same order).
    public func searchEntries(page: String) -> [SearchEntry] {
        var anchors = AnchorNames()
        var entries: [SearchEntry] = []
        // Titles are Markdown; the search shows and matches their text.
        let lessonTitle = InlineMarkdown.plainText(title)
        var section = (anchor: "", title: lessonTitle)
        for cell in cells {
            switch cell {
            case let .prose(markdown, _, headings):
                // A prose cell's text belongs to the section its first heading opens (or the one before).
                var text = markdown
                for (index, heading) in headings.enumerated() {
                    let anchor = anchors.next(Formatting.slug(heading.text))
                    if index == 0 { section = (anchor, heading.text) }
                    text = text.replacingOccurrences(of: String(repeating: "#", count: heading.level) + " " + heading.text, with: heading.text)
                }
                entries.append(SearchEntry(href: page + (section.anchor.isEmpty ? "" : "#" + section.anchor), lesson: lessonTitle,
                                           title: section.title, text: Self.plain(text)))
            case .code:
                continue
            case let .directive(record):
                let text = ([record.error].compactMap { $0 } + record.blocks.map(Self.text)).joined(separator: " ")
                entries.append(SearchEntry(href: page + "#" + record.anchor, lesson: lessonTitle,
                                           title: "\(record.directive) (line \(record.line))", text: Self.plain(text)))
            }
        }
        return entries
    }

    private static func text(_ block: OutputBlock) -> String {
        switch block {
        case let .text(text), let .notice(text): return text
        case let .preformatted(title, text): return (title.map { $0 + " " } ?? "") + text
        case let .log(lines): return lines.joined(separator: " ")
        case let .chart(chart): return chart.title
        case let .tokens(view): return view.title + " " + view.pieces.map(\.text).joined(separator: " ")
        case let .table(table):
            return ([table.title].compactMap { $0 } + table.columns + table.rows.flatMap { $0 }).joined(separator: " ")
        }
    }

    /// Markdown or text without emphasis marks and runs of white space, cut to keep the index small.
    private static func plain(_ text: String) -> String {
        let marks = text.replacingOccurrences(of: "[*_`>#|]", with: " ", options: .regularExpression)
        let words = marks.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return Formatting.excerpt(words, limit: 20_000)
    }
}
