import Foundation

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
    /// Tokens matched in the raw text before normalisation (`[CLS]`, `[SEP]`, ...), longest first.
    private let addedTokens: [(bytes: [UInt8], id: Int32)]
    private let addedTokenFirstBytes: Set<UInt8>

    init(vocabulary: [String: Int32], normalizer: BertNormalizer, addedTokens: [String: Int32], unknownToken: String,
         continuingSubwordPrefix: String, maxInputCharsPerWord: Int, file: String) throws(ModelError) {
        func id(_ token: String) throws(ModelError) -> Int32 {
            guard let id = vocabulary[token] ?? addedTokens[token] else {
                throw ModelError("The vocabulary has no `\(token)` token.", file: file, hint: "A BERT vocabulary needs [UNK], [CLS], [SEP] and [PAD].")
            }
            return id
        }
        var byID = [String](repeating: "", count: (vocabulary.values.max().map { Int($0) + 1 } ?? 0))
        for (token, index) in vocabulary { byID[Int(index)] = token }
        for (token, index) in addedTokens where Int(index) < byID.count { byID[Int(index)] = token }
        self.vocabulary = byID
        self.unknownID = try id(unknownToken)
        self.clsID = try id("[CLS]")
        self.sepID = try id("[SEP]")
        self.padID = try id("[PAD]")
        self.normalizer = normalizer
        self.wordPiece = WordPiece(vocabulary: vocabulary, unknownID: unknownID, continuingSubwordPrefix: continuingSubwordPrefix,
                                   maxInputCharsPerWord: maxInputCharsPerWord)
        let added = addedTokens.map { (bytes: Array($0.key.utf8), id: $0.value) }.filter { !$0.bytes.isEmpty }
        self.addedTokens = added.sorted { $0.bytes.count > $1.bytes.count }
        self.addedTokenFirstBytes = Set(added.map { $0.bytes[0] })
    }

    /// The word-piece ids of `text`, without `[CLS]`/`[SEP]` and without truncation.
    public func pieceIDs(_ text: String) -> [Int32] {
        var ids: [Int32] = []
        ids.reserveCapacity(text.utf8.count / 4 + 4)
        var bytes: [UInt8] = []
        var ends: [Int] = []
        let utf8 = Array(text.utf8)
        var segmentStart = 0
        var index = 0
        func flush(upTo end: Int) {
            guard segmentStart < end else { return }
            bytes.removeAll(keepingCapacity: true)
            ends.removeAll(keepingCapacity: true)
            let segment = String(decoding: utf8[segmentStart..<end], as: UTF8.self)
            normalizer.splitWords(segment[...].utf8, into: &bytes, ends: &ends)
            var wordStart = 0
            for wordEnd in ends {
                wordPiece.encode(bytes[wordStart..<wordEnd], into: &ids)
                wordStart = wordEnd
            }
        }
        while index < utf8.count {
            if addedTokenFirstBytes.contains(utf8[index]), let match = addedTokens.first(where: { utf8[index...].starts(with: $0.bytes) }) {
                flush(upTo: index)
                ids.append(match.id)
                index += match.bytes.count
                segmentStart = index
            } else {
                index += 1
            }
        }
        flush(upTo: utf8.count)
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
