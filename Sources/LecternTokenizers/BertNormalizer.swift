import Foundation
import LecternWeights

/// BERT's text normalisation followed by its pre-tokenisation, as Hugging Face's fast tokenizer
/// runs them (`normalizers/bert.rs`, `pre_tokenizers/bert.rs`), fused into one pass over the
/// text's Unicode scalars that emits words as UTF-8 bytes:
///
/// 1. clean: drop NUL, U+FFFD and control characters (Cc, Cf, Co; tab, newline and carriage
///    return count as whitespace), turn whitespace into spaces;
/// 2. put spaces around CJK ideographs (the tokenizers crate's ranges);
/// 3. strip accents: canonical decomposition, then drop nonspacing marks (Mn);
/// 4. lowercase each scalar on its own (no final-sigma rule, as Rust's `char::to_lowercase`);
/// 5. split on whitespace and isolate every punctuation character (Unicode P* and ASCII punctuation).
///
/// Accents are stripped before lowercasing, so "İ" becomes "i". ASCII takes a fast path.
struct BertNormalizer: Sendable {
    var cleanText = true
    var handleChineseChars = true
    var stripAccents = true
    var lowercase = true

    /// Appends the words of `text` to `words`: their bytes to `bytes`, their end offsets to `ends`.
    /// Long on purpose: the tokenizer's hot loop, one pass over the bytes per text with the ASCII
    /// fast path inline.
    func splitWords(_ text: Substring.UTF8View, into bytes: inout [UInt8], ends: inout [Int]) {
        var inWord = false
        func endWord() {
            if inWord { ends.append(bytes.count); inWord = false }
        }
        func emit(_ scalar: Unicode.Scalar) {
            let value = scalar.value
            if value < 0x80 {
                let byte = UInt8(value)
                if byte == 0x20 { endWord(); return }
                if Self.isASCIIPunctuation(byte) {
                    endWord()
                    bytes.append(byte)
                    ends.append(bytes.count)
                    return
                }
                bytes.append(byte)
                inWord = true
                return
            }
            if scalar.properties.isWhitespace { endWord(); return }
            if Self.isPunctuation(scalar) {
                endWord()
                appendUTF8(scalar, to: &bytes)
                ends.append(bytes.count)
                return
            }
            appendUTF8(scalar, to: &bytes)
            inWord = true
        }

        var iterator = text.makeIterator()
        var decoder = UTF8()
        while true {
            // ASCII needs no decoding.
            guard let scalar: Unicode.Scalar = {
                switch decoder.decode(&iterator) {
                case let .scalarValue(scalar): return scalar
                case .emptyInput: return nil
                case .error: return Unicode.Scalar(0xFFFD)
                }
            }() else { break }
            let value = scalar.value
            if value < 0x80 {
                var byte = UInt8(value)
                if cleanText {
                    if byte == 0x09 || byte == 0x0A || byte == 0x0D { byte = 0x20 }
                    else if byte < 0x20 || byte == 0x7F { continue }
                }
                if lowercase, byte >= 0x41, byte <= 0x5A { byte += 0x20 }
                emit(Unicode.Scalar(byte))
                continue
            }
            var current = scalar
            if cleanText {
                if value == 0xFFFD || Self.isControl(current) { continue }
                if current.properties.isWhitespace { current = " " }
            }
            if handleChineseChars, Self.isChineseChar(current.value) {
                endWord()
                appendUTF8(current, to: &bytes)
                ends.append(bytes.count)
                continue
            }
            if stripAccents {
                for decomposed in Self.canonicalDecomposition(current) where decomposed.properties.generalCategory != .nonspacingMark {
                    lowercaseAndEmit(decomposed, emit)
                }
            } else {
                lowercaseAndEmit(current, emit)
            }
        }
        endWord()
    }

    private func lowercaseAndEmit(_ scalar: Unicode.Scalar, _ emit: (Unicode.Scalar) -> Void) {
        guard lowercase, scalar.properties.changesWhenLowercased else { emit(scalar); return }
        for lowered in scalar.properties.lowercaseMapping.unicodeScalars { emit(lowered) }
    }

    static func isASCIIPunctuation(_ byte: UInt8) -> Bool {
        (byte >= 0x21 && byte <= 0x2F) || (byte >= 0x3A && byte <= 0x40) || (byte >= 0x5B && byte <= 0x60) || (byte >= 0x7B && byte <= 0x7E)
    }

    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    /// Cc, Cf and Co, as the tokenizers crate's `is_other` behaves (unassigned code points are kept).
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .privateUse, .surrogate: return true
        default: return false
        }
    }

    /// The CJK ideograph blocks, as the tokenizers crate lists them.
    static func isChineseChar(_ value: UInt32) -> Bool {
        switch value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F,
             0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }

    static func canonicalDecomposition(_ scalar: Unicode.Scalar) -> [Unicode.Scalar] {
        // Most scalars outside ASCII (CJK, Cyrillic, emoji) have no decomposition.
        if scalar.properties.canonicalCombiningClass == .notReordered, scalar.value < 0xC0 { return [scalar] }
        return Array(String(scalar).decomposedStringWithCanonicalMapping.unicodeScalars)
    }
}

@inline(__always)
func appendUTF8(_ scalar: Unicode.Scalar, to bytes: inout [UInt8]) {
    let value = scalar.value
    switch value {
    case ..<0x80:
        bytes.append(UInt8(value))
    case ..<0x800:
        bytes.append(UInt8(0xC0 | (value >> 6)))
        bytes.append(UInt8(0x80 | (value & 0x3F)))
    case ..<0x10000:
        bytes.append(UInt8(0xE0 | (value >> 12)))
        bytes.append(UInt8(0x80 | ((value >> 6) & 0x3F)))
        bytes.append(UInt8(0x80 | (value & 0x3F)))
    default:
        bytes.append(UInt8(0xF0 | (value >> 18)))
        bytes.append(UInt8(0x80 | ((value >> 12) & 0x3F)))
        bytes.append(UInt8(0x80 | ((value >> 6) & 0x3F)))
        bytes.append(UInt8(0x80 | (value & 0x3F)))
    }
}
