/// A text as the model reads it: word pieces shown as chips, continuations (`##…`) joined to the
/// piece before them, special and unknown tokens marked, the pieces truncation cuts faded.
public struct TokenView: Sendable, Codable {
    public enum Kind: String, Sendable, Codable {
        /// The first piece of a word.
        case word
        /// A `##` piece that continues the word before it.
        case continuation
        /// `[CLS]`, `[SEP]`, `[PAD]`.
        case special
        /// `[UNK]`: the vocabulary has no pieces for this word.
        case unknown
    }

    public struct Piece: Sendable, Codable {
        public var text: String
        public var id: Int
        public var kind: Kind
        /// Beyond `max_length`: truncation drops it.
        public var cut: Bool

        public init(text: String, id: Int, kind: Kind, cut: Bool) {
            self.text = text
            self.id = id
            self.kind = kind
            self.cut = cut
        }
    }

    public var title: String
    public var pieces: [Piece]
    /// Pieces left out of the view (very long texts).
    public var omitted: Int

    public init(title: String, pieces: [Piece], omitted: Int) {
        self.title = title
        self.pieces = pieces
        self.omitted = omitted
    }

    /// The pieces as text, cut ones after a ✂ mark (Markdown, terminals).
    public var plainText: String {
        var words: [String] = []
        var marked = false
        for piece in pieces {
            if piece.cut && !marked {
                words.append("✂")
                marked = true
            }
            words.append(piece.text)
        }
        return words.joined(separator: " ") + (omitted > 0 ? " … (\(omitted) more)" : "")
    }
}
