import LecternWeights

/// The tokens a tokenizer keeps whole wherever they occur in the raw text (`[CLS]`, `<s>`,
/// `<mask>`, ...), matched longest first, as Hugging Face tokenizers matches them before anything
/// else runs. WordPiece matches them in UTF-8 bytes, byte-level BPE in Unicode scalars.
struct AddedTokens<Unit: Hashable & Sendable>: Sendable {
    struct Token: Sendable {
        var units: [Unit]
        var id: Int32
        /// The token takes the white space before it (RoBERTa's `<mask>`), or after it.
        var lstrip = false, rstrip = false
    }

    enum Segment: Equatable {
        case text(Range<Int>)
        case token(Int32)
    }

    private let tokens: [Token]
    private let firstUnits: Set<Unit>
    private let isSpace: @Sendable (Unit) -> Bool

    init(_ tokens: [Token], isSpace: @escaping @Sendable (Unit) -> Bool) {
        self.tokens = tokens.filter { !$0.units.isEmpty }.sorted { $0.units.count > $1.units.count }
        firstUnits = Set(self.tokens.map { $0.units[0] })
        self.isSpace = isSpace
    }

    /// `text` cut into added tokens and the (non-empty) text between them.
    func split(_ text: [Unit]) -> [Segment] {
        var segments: [Segment] = []
        var segmentStart = 0, index = 0
        while index < text.count {
            guard firstUnits.contains(text[index]),
                  let match = tokens.first(where: { text[index...].starts(with: $0.units) }) else {
                index += 1
                continue
            }
            var textEnd = index
            if match.lstrip { while textEnd > segmentStart, isSpace(text[textEnd - 1]) { textEnd -= 1 } }
            if segmentStart < textEnd { segments.append(.text(segmentStart..<textEnd)) }
            segments.append(.token(match.id))
            index += match.units.count
            if match.rstrip { while index < text.count, isSpace(text[index]) { index += 1 } }
            segmentStart = index
        }
        if segmentStart < text.count { segments.append(.text(segmentStart..<text.count)) }
        return segments
    }
}
