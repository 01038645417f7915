import Foundation
import LecternWeights

/// BERT's WordPiece tokenizer with the behaviour of Hugging Face's fast tokenizer: special tokens
/// in the raw text are kept whole, the rest is normalised, split into words and word pieces, and
/// wrapped in `[CLS] … [SEP]`.
///
/// ```swift
/// let tokenizer = try BertTokenizer(folder: "models/all-MiniLM-L6-v2")
/// tokenizer.encode("Hello, world!").ids          // [101, 7592, 1010, 2088, 999, 102]
/// ```
public final class BertTokenizer: TextTokenizer {
    /// Token text by id.
    public let vocabulary: [String]
    public let clsID: Int32
    public let sepID: Int32
    public let padID: Int32
    public let unknownID: Int32
    let normalizer: BertNormalizer
    let wordPiece: WordPiece
    /// Tokens matched in the raw text before normalisation (`[CLS]`, `[SEP]`, ...).
    private let addedTokens: AddedTokens<UInt8>

    init(vocabulary: [String: Int32], normalizer: BertNormalizer, addedTokens: [String: Int32], unknownToken: String,
         continuingSubwordPrefix: String, maxInputCharsPerWord: Int, file: String) throws(ModelError) {
        func id(_ token: String) throws(ModelError) -> Int32 {
            guard let id = vocabulary[token] ?? addedTokens[token] else {
                throw ModelError("The vocabulary has no `\(token)` token.", file: file, hint: "A BERT vocabulary needs [UNK], [CLS], [SEP] and [PAD].")
            }
            return id
        }
        self.vocabulary = ModelTokenizer.tokensByID(vocabulary, added: addedTokens)
        self.unknownID = try id(unknownToken)
        self.clsID = try id("[CLS]")
        self.sepID = try id("[SEP]")
        self.padID = try id("[PAD]")
        self.normalizer = normalizer
        self.wordPiece = WordPiece(vocabulary: vocabulary, unknownID: unknownID, continuingSubwordPrefix: continuingSubwordPrefix,
                                   maxInputCharsPerWord: maxInputCharsPerWord)
        self.addedTokens = AddedTokens(addedTokens.map { .init(units: Array($0.key.utf8), id: $0.value) }) { $0 == 0x20 || (0x09...0x0D).contains($0) }
    }

    /// The word-piece ids of `text`, without `[CLS]`/`[SEP]` and without truncation.
    public func pieceIDs(_ text: String) -> [Int32] {
        var ids: [Int32] = []
        ids.reserveCapacity(text.utf8.count / 4 + 4)
        var bytes: [UInt8] = []
        var ends: [Int] = []
        let utf8 = Array(text.utf8)
        for segment in addedTokens.split(utf8) {
            switch segment {
            case let .token(id): ids.append(id)
            case let .text(range):
                bytes.removeAll(keepingCapacity: true)
                ends.removeAll(keepingCapacity: true)
                let words = String(decoding: utf8[range], as: UTF8.self)
                normalizer.splitWords(words[...].utf8, into: &bytes, ends: &ends)
                var wordStart = 0
                for wordEnd in ends {
                    wordPiece.encode(bytes[wordStart..<wordEnd], into: &ids)
                    wordStart = wordEnd
                }
            }
        }
        return ids
    }

    /// The token text of each id.
    public func tokens(_ ids: [Int32]) -> [String] {
        ids.map { Int($0) < vocabulary.count && $0 >= 0 ? vocabulary[Int($0)] : "[UNK]" }
    }

    public var specialIDs: Set<Int32> { [clsID, sepID, padID] }

    /// `[CLS] a [SEP] b [SEP]`, the second text and its `[SEP]` of token type 1 (BertProcessing's template).
    public func wrapPair(_ first: [Int32], _ second: [Int32]) -> (ids: [Int32], typeIDs: [Int32]?) {
        ([clsID] + first + [sepID] + second + [sepID],
         [Int32](repeating: 0, count: first.count + 2) + [Int32](repeating: 1, count: second.count + 1))
    }

    public var pairSpecialTokenCount: Int { 3 }

    /// A `##` piece continues the word before it; it is shown as the vocabulary writes it.
    public func readable(_ token: String) -> (text: String, joinsPrevious: Bool) { (token, token.hasPrefix("##")) }
}
