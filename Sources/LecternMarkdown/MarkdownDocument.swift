import CCmarkGFM
import Foundation

/// A GitHub-flavoured Markdown document parsed by cmark-gfm.
///
/// Exposes the top-level blocks with their source lines, and renders any of them to HTML.
/// The GFM extensions are the ones github.com enables: tables, strikethrough, autolinks,
/// task lists and the tag filter.
///
/// ```swift
/// let document = MarkdownDocument("# Title\n\nSome *prose*.\n")
/// document.blocks.first?.kind   // .heading(level: 1, text: "Title")
/// document.html(of: document.blocks[1])  // "<p>Some <em>prose</em>.</p>\n"
/// ```
public final class MarkdownDocument {
    private let parser: OpaquePointer
    private let root: OpaquePointer

    /// Top-level blocks in document order.
    public let blocks: [MarkdownBlock]

    public init(_ text: String) {
        Self.registerExtensions
        let parser = cmark_parser_new(Self.options)!
        for name in Self.extensionNames {
            if let ext = cmark_find_syntax_extension(name) {
                cmark_parser_attach_syntax_extension(parser, ext)
            }
        }
        var utf8 = Array(text.utf8)
        utf8.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: max(buffer.count, 1)) {
                cmark_parser_feed(parser, $0, buffer.count)
            }
        }
        let root = cmark_parser_finish(parser)!
        self.parser = parser
        self.root = root

        var blocks: [MarkdownBlock] = []
        var child = cmark_node_first_child(root)
        while let node = child {
            blocks.append(MarkdownBlock(node: node))
            child = cmark_node_next(node)
        }
        self.blocks = blocks
    }

    deinit {
        cmark_node_free(root)
        cmark_parser_free(parser)
    }

    /// The HTML for one top-level block.
    public func html(of block: MarkdownBlock) -> String {
        render(block.node)
    }

    /// The HTML for the whole document.
    public var html: String { render(root) }

    private func render(_ node: OpaquePointer) -> String {
        guard let cString = cmark_render_html(node, Self.options, cmark_parser_get_syntax_extensions(parser)) else {
            return ""
        }
        defer { free(cString) }
        return String(cString: cString)
    }

    // Raw HTML is passed through (as on GitHub and in Jupyter), with GFM's tag filter
    // neutralising <script>, <iframe> and the like.
    private static let options = CMARK_OPT_UNSAFE | CMARK_OPT_FOOTNOTES | CMARK_OPT_GITHUB_PRE_LANG
    private static let extensionNames = ["table", "strikethrough", "autolink", "tasklist", "tagfilter"]
    private static let registerExtensions: Void = cmark_gfm_core_extensions_ensure_registered()
}

/// One top-level block of a Markdown document.
public struct MarkdownBlock {
    /// What the block is, as far as Lectern cares.
    public enum Kind: Equatable {
        case heading(level: Int, text: String)
        /// A fenced or indented code block; `info` is the fence's info string ("" when indented).
        case codeBlock(info: String, literal: String, fenced: Bool)
        case other
    }

    public let kind: Kind
    /// First line of the block in the source, 1-based.
    public let startLine: Int
    /// Last line of the block in the source, 1-based.
    public let endLine: Int
    let node: OpaquePointer

    /// The block's text without markup.
    public var plainText: String { LecternMarkdown.plainText(of: node) }

    init(node: OpaquePointer) {
        self.node = node
        self.startLine = Int(cmark_node_get_start_line(node))
        self.endLine = Int(cmark_node_get_end_line(node))
        switch cmark_node_get_type(node) {
        case CMARK_NODE_HEADING:
            kind = .heading(level: Int(cmark_node_get_heading_level(node)), text: LecternMarkdown.plainText(of: node))
        case CMARK_NODE_CODE_BLOCK:
            let info = cmark_node_get_fence_info(node).map { String(cString: $0) } ?? ""
            let literal = cmark_node_get_literal(node).map { String(cString: $0) } ?? ""
            var length: Int32 = 0, offset: Int32 = 0
            var character: CChar = 0
            let fenced = cmark_node_get_fenced(node, &length, &offset, &character) != 0
            kind = .codeBlock(info: info, literal: literal, fenced: fenced)
        default:
            kind = .other
        }
    }
}

/// The text of a node's descendants, without markup (for headings and the table of contents).
func plainText(of node: OpaquePointer) -> String {
    var text = ""
    let iterator = cmark_iter_new(node)
    defer { cmark_iter_free(iterator) }
    while case let event = cmark_iter_next(iterator), event != CMARK_EVENT_DONE {
        guard event == CMARK_EVENT_ENTER, let current = cmark_iter_get_node(iterator) else { continue }
        switch cmark_node_get_type(current) {
        case CMARK_NODE_TEXT, CMARK_NODE_CODE:
            if let literal = cmark_node_get_literal(current) { text += String(cString: literal) }
        case CMARK_NODE_SOFTBREAK, CMARK_NODE_LINEBREAK:
            text += " "
        default:
            break
        }
    }
    return text
}
