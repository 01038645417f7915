import LecternMarkdown
/// The word after a directive block's fence (```load). Which words are directives is the runner's
/// registry's to say (`NotebookParser.parse(..., directives:)`); the names here are the standard
/// directives', for the code that handles them.
public struct DirectiveName: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    public static let load = DirectiveName(rawValue: "load")
    public static let tokenize = DirectiveName(rawValue: "tokenize")
    public static let train = DirectiveName(rawValue: "train")
    public static let evaluate = DirectiveName(rawValue: "evaluate")
    public static let predict = DirectiveName(rawValue: "predict")

    public var description: String { rawValue }
}

/// A parsed notebook: front matter and cells in document order.
public struct Notebook: Sendable {
    /// The path the notebook was read from, as given (used in every diagnostic).
    public var path: String
    public var frontMatter: FrontMatter
    public var cells: [Cell]

    /// The front matter's `title`, else the first level-1 heading, else the file name.
    public var title: String {
        if let title = frontMatter.title { return title }
        for case let .prose(prose) in cells {
            if let heading = prose.headings.first(where: { $0.level == 1 }) { return heading.text }
        }
        return String(path.split(separator: "/").last ?? Substring(path))
    }

    /// The line of the prose where `text` is first written (e.g. a link's target), for warnings.
    public func proseLine(containing text: String) -> Int? {
        for case let .prose(prose) in cells {
            for (offset, line) in prose.markdown.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where line.contains(text) {
                return prose.lines.lowerBound + offset
            }
        }
        return nil
    }

    /// The directive cells, with their index among all cells.
    public var directives: [(index: Int, cell: DirectiveCell)] {
        cells.enumerated().compactMap { index, cell in
            if case let .directive(directive) = cell { return (index, directive) }
            return nil
        }
    }
}

/// One cell of a notebook.
public enum Cell: Sendable {
    /// Consecutive Markdown blocks that are not code: text, headings, lists, tables.
    case prose(ProseCell)
    /// A code block that is not a directive; shown as code, never run.
    case code(CodeCell)
    /// A fenced block naming a directive, with YAML parameters as its body.
    case directive(DirectiveCell)

    /// The first line of the cell in the notebook file.
    public var line: Int {
        switch self {
        case let .prose(cell): return cell.lines.lowerBound
        case let .code(cell): return cell.line
        case let .directive(cell): return cell.line
        }
    }
}

public struct Heading: Sendable, Equatable {
    public var level: Int
    public var text: String
}

public struct ProseCell: Sendable {
    /// The Markdown source, as written.
    public var markdown: String
    /// The Markdown rendered by cmark-gfm.
    public var html: String
    public var headings: [Heading]
    public var lines: ClosedRange<Int>

    /// The cell with other Markdown (values woven into it), rendered and its headings read again.
    public func rewritten(_ markdown: String) -> ProseCell {
        let document = MarkdownDocument(markdown)
        let headings = document.blocks.compactMap { block -> Heading? in
            if case let .heading(level, text) = block.kind { return Heading(level: level, text: text) }
            return nil
        }
        return ProseCell(markdown: markdown, html: document.blocks.map(document.html(of:)).joined(), headings: headings, lines: lines)
    }
}

public struct CodeCell: Sendable {
    /// The info string's first word ("python", "bash", ...), empty when none.
    public var language: String
    public var source: String
    /// The line of the opening fence.
    public var line: Int
}

public struct DirectiveCell: Sendable {
    public var name: DirectiveName
    /// The whole info string after the fence, e.g. "train".
    public var info: String
    /// The body as written.
    public var source: String
    /// The line of the opening fence.
    public var line: Int
    /// The body parsed as YAML (an empty mapping for an empty body), or the reason it could not be.
    public var body: Result<ParameterNode, Diagnostic>

    /// Where the fence's directive name stands, for errors about the block as a whole.
    public func location(in path: String) -> SourceLocation {
        SourceLocation(file: path, line: line, column: 4)
    }
}
