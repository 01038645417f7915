import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import LecternTestSupport
import Testing
@testable import LecternTranscript

/// The SVG charts: well-formed XML, the marks their data asks for, accessible titles, no scripts,
/// and their place in each rendering (inline in HTML, files beside the Markdown).
struct ChartTests {
    /// Element names and text of an SVG document, parsed by a real XML parser.
    final class Elements: NSObject, XMLParserDelegate {
        var names: [String] = []
        var attributes: [[String: String]] = []
        var texts: [String] = []
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            names.append(name)
            self.attributes.append(attributes)
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) { texts.append(string) }

        static func parse(_ svg: String) throws -> Elements {
            let elements = Elements()
            let parser = XMLParser(data: Data(svg.utf8))
            parser.delegate = elements
            try #require(parser.parse(), "not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "")")
            return elements
        }

        func count(_ name: String) -> Int { names.filter { $0 == name }.count }
    }

    @Test func barsDrawOneBarPerCategoryAndGroupWithALegend() throws {
        let chart = Chart(title: "Class <balance>", kind: .bars(categories: ["World", "Sports", "Business"],
                                                               groups: [.init(name: "train", values: [20, 30, 50]), .init(name: "test", values: [25, 25, 50])]),
                          xLabel: "class", yLabel: "% of the split")
        let svg = SVGChart.render(chart)
        let elements = try Elements.parse(svg)
        #expect(elements.names.first == "svg")
        #expect(!svg.contains("<script"))
        // 6 bars and 2 legend swatches.
        #expect(elements.count("rect") == 8)
        #expect(elements.texts.joined().contains("Class <balance>"), "the title is escaped and survives")
        #expect(elements.texts.contains("train") && elements.texts.contains("test") && elements.texts.contains("Sports"))
        #expect(elements.names.contains("title"))
        // The tallest bar (50) reaches the top tick (50 on a 0–50 axis); the shortest is 2/5 of it.
        let heights = elements.attributes.filter { $0["fill"] == "#0072B2" }.compactMap { $0["height"].flatMap(Double.init) }
        #expect(heights.count == 4)
        let bars = heights.sorted()
        #expect(abs(bars[1] / bars[3] - 0.4) < 0.01)
    }

    @Test func linesAndMarkersFollowTheirPoints() throws {
        let chart = Chart(title: "Loss", kind: .lines([.init(name: "training loss", points: [(10, 1.4), (20, 1.2), (30, 0.9)]),
                                                      .init(name: "evaluation loss", points: [(30, 0.8)], markers: true)]),
                          xLabel: "step", yLabel: "loss")
        let elements = try Elements.parse(SVGChart.render(chart))
        #expect(elements.count("polyline") == 1)
        let points = try #require(elements.attributes[elements.names.firstIndex(of: "polyline")!]["points"])
        let ys = points.split(separator: " ").map { Double($0.split(separator: ",")[1])! }
        #expect(ys.count == 3 && ys[0] < ys[1] && ys[1] < ys[2], "a falling loss is drawn falling (y grows downwards)")
        #expect(elements.count("rect") >= 1, "the evaluation loss is a square marker")
    }

    @Test func theHeatmapLabelsEveryCellAndDarkensTheLargest() throws {
        let chart = Chart(title: "Confusion matrix", kind: .heatmap(rows: ["A", "B"], columns: ["A", "B"], values: [[7, 1], [2, 90]]),
                          xLabel: "predicted class", yLabel: "true class")
        let elements = try Elements.parse(SVGChart.render(chart))
        for value in ["7", "1", "2", "90"] { #expect(elements.texts.contains(value)) }
        let fills = elements.attributes.compactMap { $0["fill"] }.filter { $0.hasPrefix("#") && $0.count == 7 }
        #expect(fills.contains("#08306b"), "the largest count gets the darkest blue")
        #expect(elements.attributes.contains { $0["fill"] == "#ffffff" }, "text on the dark cell is white")
    }

    @Test func theHistogramMarksTheCut() throws {
        let chart = Chart(title: "Tokens", kind: .histogram(edges: [0, 10, 20, 30], counts: [5, 9, 1], marker: .init(x: 25, label: "max_length 25")),
                          xLabel: "tokens", yLabel: "texts")
        let elements = try Elements.parse(SVGChart.render(chart))
        #expect(elements.texts.contains("max_length 25"))
        #expect(elements.attributes.contains { $0["stroke-dasharray"] == "5 3" })
    }

    @Test func htmlInlinesChartsAndMarkdownLinksFilesThatTheWriterWrites() throws {
        let chart = Chart(title: "Class balance", kind: .bars(categories: ["a"], groups: [.init(name: "train", values: [1])]), xLabel: "class", yLabel: "%")
        let record = DirectiveRecord(index: 2, directive: "load", line: 3, source: "dataset: x\n", status: .ok, blocks: [.chart(chart), .chart(chart)])
        let transcript = Transcript(title: "T", notebook: "t.md", status: .ok, parameters: [], runInfo: [], startedAt: Date(), seconds: 1,
                                    cells: [.directive(record)], diagnostics: [])
        let renderer = try HTMLTranscriptRenderer(templateAt: repositoryRoot.appendingPathComponent("templates/transcript.html.mustache").path)
        let html = renderer.render(transcript)
        try HTMLCheck.assertWellFormed(html)
        #expect(html.components(separatedBy: "<figure class=\"chart\"><svg").count == 3)
        let markdown = transcript.markdown(stem: "my lesson")
        #expect(markdown.files.map(\.path) == ["my lesson_files/cell-2-chart-1.svg", "my lesson_files/cell-2-chart-2.svg"])
        #expect(markdown.text.contains("![Class balance](my%20lesson_files/cell-2-chart-1.svg)"))

        let folder = ScratchFolder()
        try TranscriptWriter(folder: folder.path, renderer: renderer).write(transcript, stem: "my lesson")
        let written = try #require(folder.read("my lesson_files/cell-2-chart-2.svg"))
        _ = try Elements.parse(written)
    }

    @Test func wordPiecesAreChipsWithIdsAndTheCutMarked() throws {
        let view = TokenView(title: "Train example 1", pieces: [
            .init(text: "[CLS]", id: 101, kind: .special, cut: false), .init(text: "un", id: 4895, kind: .word, cut: false),
            .init(text: "##believable", id: 25, kind: .continuation, cut: false), .init(text: "<b>", id: 100, kind: .unknown, cut: true),
            .init(text: "[SEP]", id: 102, kind: .special, cut: false),
        ], omitted: 0)
        let html = HTMLTranscriptRenderer.html(.tokens(view))
        try HTMLCheck.assertWellFormed(html)
        #expect(html.contains("<span class=\"tok word\" title=\"id 4895\">un</span><span class=\"tok continuation\" title=\"id 25, continues the word\">##believable</span>"))
        #expect(html.contains("<span class=\"tok unknown cut\" title=\"id 100, cut by truncation\">&lt;b&gt;</span>"))
        #expect(view.plainText == "[CLS] un ##believable ✂ <b> [SEP]")
    }
}
