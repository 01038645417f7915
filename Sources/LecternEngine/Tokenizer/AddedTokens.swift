/// The tokens a tokenizer keeps whole wherever they occur in the raw text (`<s>`, `<mask>`, ...),
/// matched longest first, as Hugging Face tokenizers matches them before anything else runs.
struct AddedTokens: Sendable {
    struct Token: Sendable {
        var scalars: [Unicode.Scalar]
        var id: Int32
        /// The token takes the white space before it (RoBERTa's `<mask>`), or after it.
        var lstrip: Bool, rstrip: Bool
    }

    enum Segment: Equatable {
        case text(Range<Int>)
        case token(Int32)
    }

    private let tokens: [Token]
    private let firstScalars: Set<Unicode.Scalar>

    init(_ tokens: [Token]) {
        self.tokens = tokens.sorted { $0.scalars.count > $1.scalars.count }
        firstScalars = Set(tokens.compactMap(\.scalars.first))
    }

    /// `text` cut into added tokens and the (non-empty) text between them.
    func split(_ text: [Unicode.Scalar]) -> [Segment] {
        var segments: [Segment] = []
        var segmentStart = 0, index = 0
        while index < text.count {
            guard firstScalars.contains(text[index]),
                  let match = tokens.first(where: { text[index...].starts(with: $0.scalars) }) else {
                index += 1
                continue
            }
            var textEnd = index
            if match.lstrip { while textEnd > segmentStart, text[textEnd - 1].properties.isWhitespace { textEnd -= 1 } }
            if segmentStart < textEnd { segments.append(.text(segmentStart..<textEnd)) }
            segments.append(.token(match.id))
            index += match.scalars.count
            if match.rstrip { while index < text.count, text[index].properties.isWhitespace { index += 1 } }
            segmentStart = index
        }
        if segmentStart < text.count { segments.append(.text(segmentStart..<text.count)) }
        return segments
    }
}
