import Foundation

/// A line of Markdown such as a lesson's title ("what `bf16: true` changes"), rendered as inline
/// HTML where markup fits (headings, links, navigation) and as plain text where only text does
/// (`<title>`, a search index, PDF metadata).
public enum InlineMarkdown {
    /// The inline HTML of `text`: its first paragraph's (or heading's) content, without the block's tags.
    /// Raw HTML in a title is shown as text, as the title is also used where only text fits.
    public static func html(_ text: String) -> String {
        let document = MarkdownDocument(literalAngles(text))
        guard let block = document.blocks.first else { return "" }
        var html = document.html(of: block).trimmingCharacters(in: .whitespacesAndNewlines)
        // The block's own tags: <p>…</p> or <hN>…</hN>.
        if html.hasPrefix("<"), let open = html.firstIndex(of: ">"), let close = html.range(of: "</", options: .backwards) {
            html = String(html[html.index(after: open)..<close.lowerBound])
        }
        return html
    }

    /// The text of `text` without markup (code spans keep their text, emphasis loses its stars).
    public static func plainText(_ text: String) -> String {
        // The blocks point into the document's tree: it must outlive reading them.
        let document = MarkdownDocument(literalAngles(text))
        return withExtendedLifetime(document) { document.blocks.first?.plainText ?? "" }
    }

    /// `<` as an entity, which Markdown reads as the character: no tag can open.
    private static func literalAngles(_ text: String) -> String { text.replacingOccurrences(of: "<", with: "&lt;") }
}
