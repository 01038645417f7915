import LecternWeights

/// GPT-2's byte-level pre-tokenisation, which RoBERTa uses: a text is split into words by
/// GPT-2's pattern, and each word's UTF-8 bytes become printable characters, so that BPE never
/// meets an unknown character.
enum ByteLevel {
    /// Byte → the character that stands for it (GPT-2's `bytes_to_unicode`): printable Latin-1
    /// bytes stand for themselves, the others for U+0100 onwards, in byte order (space is `Ġ`).
    static let characters: [Character] = {
        let printable = Set<Int>(Array(33...126) + Array(161...172) + Array(174...255))
        var next = 256
        return (0..<256).map { byte in
            if printable.contains(byte) { return Character(Unicode.Scalar(UInt8(byte))) }
            defer { next += 1 }
            return Character(Unicode.Scalar(UInt32(next))!)
        }
    }()

    /// The inverse of `characters`.
    static let bytes: [Character: UInt8] = Dictionary(uniqueKeysWithValues: characters.enumerated().map { ($0.element, UInt8($0.offset)) })

    /// The text a token's characters stand for, or nil when its bytes are not whole UTF-8
    /// characters (a character split between two tokens).
    static func decode(_ token: String) -> String? {
        String(validating: token.compactMap { bytes[$0] }, as: UTF8.self)
    }

    /// The words of `text` by GPT-2's pattern,
    /// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`,
    /// as ranges of scalar positions; every scalar falls in one word.
    static func words(_ text: [Unicode.Scalar]) -> [Range<Int>] {
        var words: [Range<Int>] = []
        var start = 0
        while start < text.count {
            let end = wordEnd(text, from: start)
            words.append(start..<end)
            start = end
        }
        return words
    }

    enum Kind { case letter, number, space, other }

    static func kind(_ scalar: Unicode.Scalar) -> Kind {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return .letter
        case .decimalNumber, .letterNumber, .otherNumber: return .number
        default: return scalar.properties.isWhitespace ? .space : .other
        }
    }

    /// Where the pattern's match starting at `start` ends: the alternatives in the pattern's order.
    private static func wordEnd(_ text: [Unicode.Scalar], from start: Int) -> Int {
        func run(from index: Int, of wanted: Kind) -> Int {
            var end = index
            while end < text.count, kind(text[end]) == wanted { end += 1 }
            return end
        }
        // Contractions, lowercase only: 's 't 'm 'd 're 've 'll.
        if text[start] == "'", start + 1 < text.count {
            let next = text[start + 1]
            if "stmd".unicodeScalars.contains(next) { return start + 2 }
            if start + 2 < text.count, ["re", "ve", "ll"].contains(String(String.UnicodeScalarView([next, text[start + 2]]))) { return start + 3 }
        }
        // An optional space, then a run of letters, of numbers, or of anything else but spaces.
        let body = text[start] == " " && start + 1 < text.count && kind(text[start + 1]) != .space ? start + 1 : start
        let first = kind(text[body])
        if first != .space { return run(from: body, of: first) }
        // Spaces: all of them at the end of the text, else all but the last (which joins the next word).
        let end = run(from: start, of: .space)
        return end == text.count || end - start == 1 ? end : end - 1
    }
}
