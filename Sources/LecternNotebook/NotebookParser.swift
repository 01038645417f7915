import Foundation
import LecternMarkdown

/// Turns a Markdown file into a `Notebook`: front matter, prose, code and directive cells.
///
/// Markdown structure comes from cmark-gfm; only top-level fenced blocks can be directives.
public enum NotebookParser {
    /// Reads and parses the notebook at `path`; fenced blocks named by `directives` (the runner's
    /// registry) are directive cells, other fences are code.
    public static func parse(contentsOf path: String, directives: [DirectiveName]) throws(Diagnostics) -> Notebook {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw Diagnostics([Diagnostic("Cannot read the notebook: \(error.localizedDescription)", at: SourceLocation(file: path, line: 1, column: 1))])
        }
        return try parse(data: data, path: path, directives: directives)
    }

    /// Parses notebook bytes; `path` names the notebook in diagnostics.
    public static func parse(data: Data, path: String, directives: [DirectiveName]) throws(Diagnostics) -> Notebook {
        guard let text = String(validating: data, as: UTF8.self) else {
            let (line, column) = firstInvalidUTF8Position(in: data)
            throw Diagnostics([Diagnostic("The notebook is not UTF-8 text: the byte at this position is not valid UTF-8.",
                                          at: SourceLocation(file: path, line: line, column: column),
                                          hint: "Save the file as UTF-8 in your editor.")])
        }
        return try parse(text: text, path: path, directives: directives)
    }

    /// Parses notebook text; `path` names the notebook in diagnostics.
    public static func parse(text original: String, path: String, directives: [DirectiveName]) throws(Diagnostics) -> Notebook {
        let start = SourceLocation(file: path, line: 1, column: 1)
        // CommonMark ends lines at LF, CRLF or a lone CR; so do editors. One form keeps our line
        // numbers and cmark's the same (Swift also treats CRLF as one Character, not a "\n").
        let text = original.contains("\r") ? original.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n") : original
        if text.allSatisfy(\.isWhitespace) {
            throw Diagnostics([Diagnostic("The notebook is empty.", at: start,
                                          hint: "A notebook is Markdown prose with directive blocks such as ```load.")])
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let frontMatter = try readFrontMatter(&lines, path: path)
        // The front matter's lines were blanked, so cmark's line numbers are the file's.
        let markdown = lines.joined(separator: "\n")
        let document = MarkdownDocument(markdown)

        var cells: [Cell] = []
        var prose: [MarkdownBlock] = []
        var problems: [Diagnostic] = []

        func flushProse() {
            guard let first = prose.first, let last = prose.last else { return }
            // cmark reports line 0 for some blocks it builds from others (found by fuzzing): stay within the file.
            let startLine = min(max(first.startLine, 1), lines.count)
            let range = startLine...min(max(startLine, last.endLine), lines.count)
            let source = lines[(range.lowerBound - 1)...(range.upperBound - 1)].joined(separator: "\n")
            let headings = prose.compactMap { block -> Heading? in
                if case let .heading(level, text) = block.kind { return Heading(level: level, text: text) }
                return nil
            }
            cells.append(.prose(ProseCell(markdown: source, html: prose.map(document.html(of:)).joined(),
                                          headings: headings, lines: range)))
            prose.removeAll()
        }

        for block in document.blocks {
            guard case let .codeBlock(info, literal, fenced) = block.kind else {
                prose.append(block)
                continue
            }
            flushProse()
            let word = info.split(whereSeparator: \.isWhitespace).first.map(String.init) ?? ""
            if fenced, let name = directives.first(where: { $0.rawValue == word }) {
                let what = "The `\(name.rawValue)` block on line \(block.startLine)"
                let body: Result<ParameterNode, Diagnostic>
                do throws(Diagnostic) {
                    let node = try YAMLReader.parse(literal, file: path, firstLine: block.startLine + 1, what: what)
                        ?? ParameterNode(.mapping([]), at: SourceLocation(file: path, line: block.startLine + 1, column: 1))
                    guard case .mapping = node.value else {
                        throw Diagnostic("\(what) must hold `name: value` lines, one per parameter.", at: node.location)
                    }
                    body = .success(node)
                } catch {
                    body = .failure(error)
                }
                cells.append(.directive(DirectiveCell(name: name, info: info, source: literal, line: block.startLine, body: body)))
            } else {
                if fenced, let intended = misspeltDirective(word, among: directives) {
                    problems.append(Diagnostic("Unknown directive `\(word)`.", at: SourceLocation(file: path, line: block.startLine, column: 4),
                                               hint: "Did you mean `\(intended)`? Directives are: "
                                                   + directives.map { "`\($0.rawValue)`" }.joined(separator: ", ") + "."))
                }
                cells.append(.code(CodeCell(language: word, source: literal, line: block.startLine)))
            }
        }
        flushProse()
        if !problems.isEmpty { throw Diagnostics(problems) }
        return Notebook(path: path, frontMatter: frontMatter, cells: cells)
    }

    /// A fence word that is one slip away from a directive name ("trian", "Load", "tokenise")
    /// is almost certainly meant as one; a language name ("lua", "python") is not.
    static func misspeltDirective(_ word: String, among directives: [DirectiveName]) -> String? {
        guard !word.isEmpty else { return nil }
        return directives.map(\.rawValue).first { name in
            Suggestion.editDistance(word.lowercased(), name) <= 1
        }
    }

    /// Takes the front matter off the top of `lines` (leaving blank lines in its place).
    private static func readFrontMatter(_ lines: inout [String], path: String) throws(Diagnostics) -> FrontMatter {
        guard lines.first?.trimmingCharacters(in: .whitespaces) == "---" else { return FrontMatter() }
        guard let end = lines.indices.dropFirst().first(where: { ["---", "..."].contains(lines[$0].trimmingCharacters(in: .whitespaces)) }) else {
            throw Diagnostics([Diagnostic("The front matter that starts here has no closing `---` line.",
                                          at: SourceLocation(file: path, line: 1, column: 1))])
        }
        let yaml = lines[1..<end].joined(separator: "\n")
        for index in 0...end { lines[index] = "" }
        let node: ParameterNode?
        do throws(Diagnostic) {
            node = try YAMLReader.parse(yaml, file: path, firstLine: 2, what: "The front matter")
        } catch {
            throw Diagnostics([error])
        }
        return try FrontMatter(node)
    }

    private static func firstInvalidUTF8Position(in data: Data) -> (line: Int, column: Int) {
        var line = 1, lineStart = data.startIndex
        var index = data.startIndex
        while index < data.endIndex {
            let byte = data[index]
            if byte == 0x0A { line += 1; lineStart = index + 1 }
            let length = byte < 0x80 ? 1 : byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 0
            let end = index + max(length, 1)
            if length == 0 || end > data.endIndex || String(validating: data[index..<end], as: UTF8.self) == nil {
                let prefix = String(decoding: data[lineStart..<index], as: UTF8.self)
                return (line, prefix.unicodeScalars.count + 1)
            }
            index = end
        }
        return (line, 1)
    }
}
