import Foundation

/// The Markdown transcript and the SVG files of its charts, which it links as images.
public struct MarkdownRendering: Sendable {
    public var text: String
    /// Paths relative to the Markdown file (`STEM_files/chart-…svg`) and their contents.
    public var files: [(path: String, contents: String)]
}

extension Transcript {
    /// The transcript as GitHub-flavoured Markdown: the notebook's prose as written,
    /// each directive followed by its outputs as tables, fenced text and charts; `stem`
    /// names the folder of chart files (`STEM_files/`).
    public func markdown(stem: String) -> MarkdownRendering {
        var files: [(path: String, contents: String)] = []
        var out = "# \(title)\n\n"
        out += "> Rendered by Lectern from `\(notebook)` · **\(statusLabel)** · \(Self.timestamp(startedAt)) · \(Formatting.duration(seconds))\n\n"
        if let failure = firstFailure {
            out += failure.status == .interrupted
                ? "> [!WARNING]\n> The run was interrupted in the `\(failure.directive)` cell on line \(failure.line); later cells did not run. See [the cell](#\(failure.anchor)).\n\n"
                : "> [!CAUTION]\n> The `\(failure.directive)` cell on line \(failure.line) failed; later cells that needed it were skipped. See [the cell](#\(failure.anchor)).\n\n"
        }
        if !diagnostics.isEmpty {
            out += "> [!CAUTION]\n> The notebook has problems, so nothing ran:\n>\n"
            out += diagnostics.map { "> - " + $0.replacingOccurrences(of: "\n", with: "\n>   ") }.joined(separator: "\n") + "\n\n"
        }
        for warning in warnings { out += "> [!WARNING]\n> \(warning)\n\n" }
        for note in notes { out += "> [!NOTE]\n> \(note)\n\n" }
        out += Self.table(columns: ["Run", ""], rows: runInfo.map { [$0.label, $0.value] })
        if !parameters.isEmpty {
            out += "\n" + Self.table(columns: ["Parameter", "Value", "Set in"],
                                     rows: parameters.map { [$0.name, "`\(Formatting.shownValue($0.value))`", $0.source] })
        }
        for cell in cells {
            out += "\n"
            switch cell {
            case let .prose(markdown, _, _):
                out += markdown.trimmingCharacters(in: .newlines) + "\n"
            case let .code(language, source):
                out += Self.fence(source, info: language)
            case let .directive(record):
                out += "<a id=\"\(record.anchor)\"></a>\n\n"
                out += Self.fence(Formatting.shownSource(record.source), info: record.directive)
                out += "\n" + record.markdownStatusLine + "\n"
                if let error = record.error {
                    out += "\n> [!\(record.status == .interrupted ? "WARNING" : "CAUTION")]\n> " + error.replacingOccurrences(of: "\n", with: "\n> ") + "\n"
                }
                var chartsInCell = 0
                for block in record.blocks {
                    if case let .chart(chart) = block {
                        chartsInCell += 1
                        let path = "\(stem)_files/cell-\(record.index)-chart-\(chartsInCell).svg"
                        files.append((path, SVGChart.render(chart)))
                        out += "\n![\(chart.title)](\(path.replacingOccurrences(of: " ", with: "%20")))\n"
                    } else {
                        out += "\n" + Self.markdown(block)
                    }
                }
            }
        }
        out += "\n---\n\nRendered by Lectern in \(Formatting.duration(seconds)).\n"
        return MarkdownRendering(text: out, files: files)
    }

    var statusLabel: String {
        switch status {
        case .ok: return "all cells ran"
        case .error: return "a cell failed"
        case .invalid: return "not run: the notebook has problems"
        case .interrupted: return "interrupted"
        case .running: return "running"
        }
    }

    /// A cell's outputs as Markdown text (charts by title), e.g. for a Jupyter output's plain text.
    public static func plainText(_ blocks: [OutputBlock]) -> String {
        blocks.map(markdown).joined(separator: "\n")
    }

    static func markdown(_ block: OutputBlock) -> String {
        switch block {
        case let .text(text): return text + "\n"
        case let .preformatted(title, text): return (title.map { "**\($0)**\n\n" } ?? "") + fence(text, info: "text")
        case let .table(table):
            let rows = table.rows.map { row in
                row.enumerated().map { index, cell in
                    table.linkColumns.contains(index) ? "[\(cell)](\(cell.replacingOccurrences(of: " ", with: "%20")))" : cell
                }
            }
            return (table.title.map { "**\($0)**\n\n" } ?? "") + Self.table(columns: table.columns, rows: rows, numeric: table.numericColumns)
        case let .log(lines): return fence(lines.joined(separator: "\n"), info: "text")
        case let .notice(text): return "> [!NOTE]\n> " + text.replacingOccurrences(of: "\n", with: "\n> ") + "\n"
        case let .chart(chart): return "*\(chart.title)*\n"
        case let .tokens(view): return "**\(view.title)**\n\n" + fence(view.plainText, info: "text")
        }
    }

    static func table(columns: [String], rows: [[String]], numeric: Set<Int> = []) -> String {
        func cell(_ text: String) -> String {
            text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
        }
        var out = "| " + columns.map(cell).joined(separator: " | ") + " |\n"
        out += "|" + columns.indices.map { numeric.contains($0) ? " ---: |" : " --- |" }.joined() + "\n"
        for row in rows { out += "| " + row.map(cell).joined(separator: " | ") + " |\n" }
        return out
    }

    /// A fenced block whose fence is longer than any backtick run inside it.
    static func fence(_ text: String, info: String) -> String {
        var longest = 0, run = 0
        for character in text {
            run = character == "`" ? run + 1 : 0
            longest = max(longest, run)
        }
        let fence = String(repeating: "`", count: max(3, longest + 1))
        let body = text.hasSuffix("\n") ? text : text + "\n"
        return fence + info + "\n" + body + fence + "\n"
    }
}

extension DirectiveRecord {
    var statusLabel: String {
        switch status {
        case .ok: return cached ? "ok (cached)" : "ok"
        case .error: return "failed"
        case .skipped: return "skipped"
        case .interrupted: return "interrupted"
        case .running: return "running…"
        case .waiting: return "waiting to run"
        }
    }

    var markdownStatusLine: String {
        var line = "**`\(directive)`** · line \(line) · \(statusLabel)"
        if let seconds { line += " in \(Formatting.duration(seconds))" }
        if let computedNote { line += " — \(computedNote)" }
        if let skipReason { line += " — \(skipReason)" }
        return line
    }
}
