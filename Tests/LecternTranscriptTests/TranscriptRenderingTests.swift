import Foundation
import LecternFiles
import LecternTestSupport
import Testing
@testable import LecternTranscript

struct TranscriptRenderingTests {
    static let renderer = try! HTMLTranscriptRenderer(templateAt: repositoryRoot.appendingPathComponent("templates/transcript.html.mustache").path)

    static func sample(failing: Bool) -> Transcript {
        var records = [
            DirectiveRecord(index: 1, directive: "load", line: 5, source: "dataset: ag_news\n", status: .ok,
                            parameters: [("dataset", "ag_news", false), ("shuffle", true, true)], startedAt: Date(timeIntervalSince1970: 0), seconds: 0.25,
                            outputs: ["num_rows": ["train": 800]],
                            blocks: [.text("Loaded <ag_news> & friends."),
                                     .table(OutputTable(title: "Class balance", columns: ["Label", "train"], rows: [["0 World", "179"], ["a|b", "1"]], numericColumns: [1])),
                                     .preformatted(title: "Example", text: "text with ``` fence"),
                                     .notice("1 text was not valid UTF-8")]),
        ]
        if failing {
            records.append(DirectiveRecord(index: 3, directive: "load", line: 12, source: "dataset: missing\n", status: .error,
                                           error: "lesson.md:13:10: error: No dataset named `missing`."))
        }
        var cells: [Transcript.Cell] = [
            .prose(markdown: "## Getting data\n\nSome text.", html: "<h2>Getting data</h2>\n<p>Some text.</p>\n", headings: [.init(level: 2, text: "Getting data")]),
            .directive(records[0]),
            .prose(markdown: "## Getting data\n", html: "<h2>Getting data</h2>\n", headings: [.init(level: 2, text: "Getting data")]),
        ]
        if failing { cells.append(.directive(records[1])) }
        cells.append(.code(language: "python", source: "print('<not run>')\n"))
        return Transcript(title: "A <lesson>", notebook: "lesson.md", status: failing ? .error : .ok,
                          parameters: [.init(name: "rows", value: 1000, source: "front matter")],
                          runInfo: [("Lectern", "0.1.0")], startedAt: Date(timeIntervalSince1970: 0), seconds: 1.5, cells: cells, diagnostics: [])
    }

    @Test func htmlIsWellFormedSelfContainedAndEscaped() throws {
        let html = Self.renderer.render(Self.sample(failing: false))
        try HTMLCheck.assertWellFormed(html)
        #expect(!html.contains("<script"))
        #expect(html.range(of: #"(src|href)="(https?:)?//"#, options: .regularExpression) == nil, "no network resources")
        #expect(html.contains("<title>A &lt;lesson&gt;</title>"))
        #expect(html.contains("Loaded &lt;ag_news&gt; &amp; friends."))
        #expect(html.contains("<td class=\"num\">179</td>"))
        #expect(html.contains("print(&#39;&lt;not run&gt;&#39;)") || html.contains("print(&#39;&lt;not run&gt;&#39;)\n"))
        // Table of contents with unique anchors for repeated headings.
        #expect(html.contains("<a href=\"#getting-data\">Getting data</a>"))
        #expect(html.contains("<h2 id=\"getting-data\">") && html.contains("<h2 id=\"getting-data-1\">"))
        #expect(!html.contains("class=\"banner\""))
    }

    @Test func aFailureGetsABannerLinkingToTheCell() throws {
        let html = Self.renderer.render(Self.sample(failing: true))
        try HTMLCheck.assertWellFormed(html)
        #expect(html.contains("class=\"banner\""))
        #expect(html.contains("<a href=\"#cell-3\"><code>load</code> cell on line 12</a>"))
        #expect(html.contains("<section class=\"directive error\" id=\"cell-3\" data-line=\"12\">"))
        let markdown = Self.sample(failing: true).markdown(stem: "lesson").text
        #expect(markdown.contains("[the cell](#cell-3)"))
    }

    @Test func markdownKeepsProseAndFencesOutputsSafely() {
        let markdown = Self.sample(failing: false).markdown(stem: "lesson").text
        #expect(markdown.hasPrefix("# A <lesson>\n"))
        #expect(markdown.contains("## Getting data\n\nSome text.\n"))
        #expect(markdown.contains("```load\ndataset: ag_news\n```\n"))
        #expect(markdown.contains("| Label | train |\n| --- | ---: |\n| 0 World | 179 |\n| a\\|b | 1 |\n"))
        #expect(markdown.contains("````text\ntext with ``` fence\n````\n"))
    }

    @Test func jsonFollowsTheDocumentedSchema() {
        let json = Self.sample(failing: true).json
        #expect(json["notebook"] == "lesson.md")
        #expect(json["status"] == "error")
        #expect(json["params"] == ["rows": 1000])
        guard case let .array(cells)? = json["cells"] else { Issue.record("no cells"); return }
        #expect(cells.count == 2)
        #expect(cells[0]["index"] == 1 && cells[0]["line"] == 5 && cells[0]["status"] == "ok" && cells[0]["seconds"] == 0.25)
        #expect(cells[0]["outputs"] == ["num_rows": ["train": 800]])
        #expect(cells[1]["error"] == "lesson.md:13:10: error: No dataset named `missing`.")
        let text = json.serialized()
        #expect((try? JSONSerialization.jsonObject(with: Data(text.utf8))) != nil)
    }

    @Test func jsonSerializationIsOrderedEscapedAndFinite() {
        let value: JSONValue = ["b": 1, "a": ["x\n\"y\"\u{1}", .double(.nan), 0.1, 2.0, 5e-5]]
        #expect(value.serialized() == "{\n  \"b\": 1,\n  \"a\": [\"x\\n\\\"y\\\"\\u0001\", null, 0.1, 2.0, 5e-05]\n}\n")
    }

    @Test func atomicWritesReplaceWholeFilesAndLeaveNoTemporaries() throws {
        let folder = ScratchFolder()
        let path = folder.path + "/out/t.json"
        try AtomicFile.write("first", to: path)
        try AtomicFile.write("second", to: path)
        #expect(folder.read("out/t.json") == "second")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path + "/out") == ["t.json"])
        #expect(throws: AtomicFile.WriteError.self) { try AtomicFile.write("x", to: "/proc/lectern-cannot-write/t.json") }
    }
}

/// A strict check of the HTML the template produces: every element closed in order.
enum HTMLCheck {
    struct Malformed: Error, CustomStringConvertible { var description: String }

    static let voidElements: Set<String> = ["meta", "br", "hr", "img", "input", "link", "col", "area", "base", "wbr", "source"]

    static func assertWellFormed(_ html: String) throws {
        var stack: [String] = []
        var index = html.startIndex
        while let open = html[index...].firstIndex(of: "<") {
            guard let close = html[open...].firstIndex(of: ">") else { throw Malformed(description: "unterminated tag") }
            let tag = html[html.index(after: open)..<close]
            index = html.index(after: close)
            if tag.hasPrefix("!") { continue }
            let name = tag.drop { $0 == "/" }.prefix { $0.isLetter || $0.isNumber }.lowercased()
            if voidElements.contains(name) || tag.hasSuffix("/") { continue }
            if tag.hasPrefix("/") {
                guard stack.last == name else { throw Malformed(description: "</\(name)> closes <\(stack.last ?? "nothing")>") }
                stack.removeLast()
            } else {
                stack.append(name)
            }
        }
        if !stack.isEmpty { throw Malformed(description: "unclosed: \(stack)") }
    }
}

/// A lesson's prose links, written relative to its notebook, rewritten for the site folder.
struct SiteLinkTests {
    let site = SiteNavigation(courseTitle: "C", lessons: [], current: 0, lessonFolder: "/course/lessons", siteFolder: "/course/build/site",
                              pages: ["next.md": "next.html"])

    @Test(arguments: [
        ("<a href=\"next.md#part-2\">", "<a href=\"next.html#part-2\">"),
        ("<img src=\"figures/plot.png\" alt=\"\">", "<img src=\"../../lessons/figures/plot.png\" alt=\"\">"),
        ("<a href=\"../README.md\">", "<a href=\"../../README.md\">"),
        ("<a href=\"https://huggingface.co/docs\">", "<a href=\"https://huggingface.co/docs\">"),
        ("<a href=\"#section\">", "<a href=\"#section\">"),
        ("<a href=\"/etc/hosts\">", "<a href=\"/etc/hosts\">"),
    ])
    func relativeLinksLeadToTheSamePlace(html: String, expected: String) {
        #expect(site.relink(html) == expected)
    }
}

/// Titles are Markdown: rendered where markup fits, plain text where only text does; a page without
/// headings keeps the whole width (no empty contents column).
struct TitleAndLayoutTests {
    static func transcript(title: String, headings: Bool) -> Transcript {
        let prose: Transcript.Cell = headings
            ? .prose(markdown: "## Data\n\nText.", html: "<h2>Data</h2>\n<p>Text.</p>\n", headings: [.init(level: 2, text: "Data")])
            : .prose(markdown: "Text.", html: "<p>Text.</p>\n", headings: [])
        return Transcript(title: title, notebook: "lesson.md", status: .ok, parameters: [], runInfo: [], startedAt: Date(timeIntervalSince1970: 0),
                          seconds: 1, cells: [prose], diagnostics: [])
    }

    @Test func aTitleIsMarkdownInThePageAndTextInItsTitle() throws {
        let html = TranscriptRenderingTests.renderer.render(Self.transcript(title: "What `bf16: true` *changes* <b>", headings: true))
        try HTMLCheck.assertWellFormed(html)
        #expect(html.contains("<h1>What <code>bf16: true</code> <em>changes</em> &lt;b&gt;</h1>"))
        #expect(html.contains("<title>What bf16: true changes &lt;b&gt;</title>"))
        #expect(Self.transcript(title: "What `x`", headings: true).searchEntries(page: "p.html").allSatisfy { $0.lesson == "What x" })
    }

    @Test func aPageWithoutHeadingsHasNoContentsColumn() {
        let without = TranscriptRenderingTests.renderer.render(Self.transcript(title: "One cell", headings: false))
        #expect(without.contains("<div class=\"page\">") && !without.contains("<nav class=\"toc\""))
        let with = TranscriptRenderingTests.renderer.render(Self.transcript(title: "Lesson", headings: true))
        #expect(with.contains("<div class=\"page with-toc\">") && with.contains("<nav class=\"toc\""))
    }
}
