import Foundation
import LecternMarkdown
import Mustache

/// Renders a transcript to one self-contained HTML page through a Mustache template
/// (`templates/transcript.html.mustache`), so that authors can restyle it.
///
/// The template receives plain values (see `context`); outputs and prose arrive as HTML fragments.
public struct HTMLTranscriptRenderer: Sendable {
    private let template: MustacheTemplate

    public struct TemplateError: Error, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "The HTML template \(path) cannot be used: \(reason)" }
    }

    /// Loads the template at `path`.
    public init(templateAt path: String) throws(TemplateError) {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw TemplateError(path: path, reason: "it cannot be read")
        }
        do {
            template = try MustacheTemplate(string: text)
        } catch {
            throw TemplateError(path: path, reason: "\(error)")
        }
    }

    /// The page; `site`, for a lesson of a course site, adds the course's navigation.
    public func render(_ transcript: Transcript, site: SiteNavigation? = nil) -> String {
        var context = Self.context(transcript)
        if let site {
            context["site"] = site.context
            // Prose links are relative to the notebook; the page lives in the site folder.
            context["cells"] = (context["cells"] as? [[String: Any]] ?? []).map { cell in
                guard cell["isProse"] != nil, let html = cell["html"] as? String else { return cell }
                return cell.merging(["html": site.relink(html)]) { $1 }
            }
        }
        return template.render(context)
    }

    /// The values the template sees.
    static func context(_ transcript: Transcript) -> [String: Any] {
        var anchors = AnchorNames()
        var toc: [[String: Any]] = []
        var cells: [[String: Any]] = []
        for cell in transcript.cells {
            switch cell {
            case let .prose(_, html, headings):
                var withIDs = html
                var searchFrom = withIDs.startIndex
                for heading in headings {
                    let id = anchors.next(Formatting.slug(heading.text))
                    let tag = "<h\(heading.level)>"
                    if let range = withIDs.range(of: tag, range: searchFrom..<withIDs.endIndex) {
                        withIDs.replaceSubrange(range, with: "<h\(heading.level) id=\"\(id)\">")
                        searchFrom = withIDs.index(range.lowerBound, offsetBy: tag.count)
                    }
                    if heading.level <= 3 { toc.append(["level": heading.level, "id": id, "text": heading.text]) }
                }
                cells.append(["isProse": true, "html": withIDs])
            case let .code(language, source):
                cells.append(["isCode": true, "language": language, "source": source])
            case let .directive(record):
                cells.append(directiveContext(record))
            }
        }
        var context: [String: Any] = [
            // The title is Markdown: rendered in the page, its text in <title>.
            "title": InlineMarkdown.plainText(transcript.title),
            "titleHTML": InlineMarkdown.html(transcript.title),
            "notebook": transcript.notebook,
            "status": transcript.status.rawValue,
            "statusText": transcript.statusLabel,
            "startedAt": Transcript.timestamp(transcript.startedAt),
            "duration": Formatting.duration(transcript.seconds),
            "runInfo": transcript.runInfo.map { ["label": $0.label, "value": $0.value] },
            "parameters": transcript.parameters.map { ["name": $0.name, "value": Formatting.shownValue($0.value), "source": $0.source] },
            "hasParameters": !transcript.parameters.isEmpty,
            "toc": toc,
            "hasToc": !toc.isEmpty,
            "cells": cells,
            "diagnostics": transcript.diagnostics,
            "hasDiagnostics": !transcript.diagnostics.isEmpty,
            "warnings": transcript.warnings,
            "notes": transcript.notes,
        ]
        if let failure = transcript.firstFailure {
            let interrupted = failure.status == .interrupted
            context["failure"] = ["anchor": failure.anchor, "directive": failure.directive, "line": failure.line,
                                  "message": failure.error ?? "",
                                  "headline": interrupted ? "The run was interrupted." : "A cell failed.",
                                  "what": interrupted ? "was stopped; later cells did not run." : "stopped with an error; later cells that needed it were skipped."]
        }
        return context
    }

    private static func directiveContext(_ record: DirectiveRecord) -> [String: Any] {
        var context: [String: Any] = [
            "isDirective": true,
            "anchor": record.anchor,
            "directive": record.directive,
            "line": record.line,
            "status": record.status.rawValue,
            "statusText": record.statusLabel,
            "source": Formatting.shownSource(record.source),
            "parameters": record.parameters.map { ["name": $0.name, "value": Formatting.shownValue($0.value), "isDefault": $0.isDefault] },
            "hasParameters": !record.parameters.isEmpty,
            "outputs": record.blocks.map(html).joined(separator: "\n"),
        ]
        if let seconds = record.seconds { context["duration"] = Formatting.duration(seconds) }
        if let note = record.computedNote { context["computedNote"] = note }
        if let error = record.error { context["error"] = error }
        if let reason = record.skipReason { context["skipReason"] = reason }
        return context
    }

    /// A cell's outputs as an HTML fragment (charts inline), e.g. for a Jupyter output.
    public static func fragment(_ blocks: [OutputBlock]) -> String {
        blocks.map(html).joined(separator: "\n")
    }

    static func html(_ block: OutputBlock) -> String {
        let escape = Formatting.escapeHTML
        switch block {
        case let .text(text):
            return "<p>\(escape(text))</p>"
        case let .preformatted(title, text):
            return (title.map { "<h4>\(escape($0))</h4>" } ?? "") + "<pre class=\"text\">\(escape(text))</pre>"
        case let .log(lines):
            return "<pre class=\"log\">\(escape(lines.joined(separator: "\n")))</pre>"
        case let .notice(text):
            return "<p class=\"notice\">\(escape(text))</p>"
        case let .chart(chart):
            return "<figure class=\"chart\">\(SVGChart.render(chart))</figure>"
        case let .tokens(view):
            // A line may break before a word's first piece (<wbr>), never before a continuation,
            // which must touch the piece it continues.
            let chips = view.pieces.map { piece in
                let classes = ["tok", piece.kind.rawValue] + (piece.cut ? ["cut"] : [])
                let hint = "id \(piece.id)" + (piece.kind == .continuation ? ", continues the word" : "") + (piece.cut ? ", cut by truncation" : "")
                return (piece.kind == .continuation ? "" : "<wbr>")
                    + "<span class=\"\(classes.joined(separator: " "))\" title=\"\(hint)\">\(escape(piece.text))</span>"
            }.joined()
            return "<h4>\(escape(view.title))</h4><p class=\"tokens\">\(chips)"
                + (view.omitted > 0 ? "<span class=\"more\">… \(view.omitted) more</span>" : "") + "</p>"
        case let .table(table):
            var out = "<figure class=\"table\">"
            if let title = table.title { out += "<figcaption>\(escape(title))</figcaption>" }
            out += "<table><thead><tr>"
            for (index, column) in table.columns.enumerated() {
                out += table.numericColumns.contains(index) ? "<th class=\"num\">\(escape(column))</th>" : "<th>\(escape(column))</th>"
            }
            out += "</tr></thead><tbody>"
            for row in table.rows {
                out += "<tr>"
                for (index, cell) in row.enumerated() {
                    let content = table.linkColumns.contains(index) ? "<a href=\"\(escape(cell))\">\(escape(cell))</a>" : escape(cell)
                    out += table.numericColumns.contains(index) ? "<td class=\"num\">\(content)</td>" : "<td>\(content)</td>"
                }
                out += "</tr>"
            }
            return out + "</tbody></table></figure>"
        }
    }
}

/// Unique anchor names: a second "results" heading becomes "results-1", as on GitHub.
struct AnchorNames {
    private var used: [String: Int] = [:]

    mutating func next(_ base: String) -> String {
        let count = used[base, default: 0]
        used[base] = count + 1
        return count == 0 ? base : "\(base)-\(count)"
    }
}
