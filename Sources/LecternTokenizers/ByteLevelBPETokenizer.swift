import Foundation
import LecternWeights

/// Byte-level BPE with the behaviour of Hugging Face's fast tokenizer, as RoBERTa (and GPT-2) use
/// it: added tokens in the raw text are kept whole, the rest is split by GPT-2's pattern into
/// words whose bytes are merged by the learnt merges, and the post-processor wraps the pieces in
/// `<s> … </s>`. Nothing is normalised (case and accents are kept).
///
/// ```swift
/// let tokenizer = try ModelTokenizer.load(folder: "models/roberta-base")
/// tokenizer.tokens(tokenizer.encode("Hello world").ids)   // ["<s>", "Hello", "Ġworld", "</s>"]
/// ```
public final class ByteLevelBPETokenizer: TextTokenizer {
    /// Token text by id.
    public let vocabulary: [String]
    public let clsID: Int32
    public let sepID: Int32
    public let padID: Int32
    public let unknownID: Int32
    private let encoding: BytePairEncoding
    private let addedTokens: AddedTokens<Unicode.Scalar>
    /// The pre-tokenizer's `add_prefix_space`: a space before each text, so its first word reads as one after a space.
    private let addPrefixSpace: Bool

    /// Reads a parsed `tokenizer.json` whose model is BPE with a ByteLevel pre-tokenizer.
    init(tokenizerJSON root: [String: Any], file: String) throws(ModelError) {
        func unsupported(_ what: String) -> ModelError {
            ModelError("This BPE tokenizer has \(what); Lectern reads byte-level BPE as RoBERTa and GPT-2 use it.", file: file)
        }
        let model = root["model"] as? [String: Any] ?? [:]
        guard let vocabulary = model["vocab"] as? [String: Int], !vocabulary.isEmpty else { throw ModelError("The BPE model has no vocab.", file: file) }
        if let dropout = model["dropout"] as? Double, dropout > 0 { throw unsupported("BPE dropout \(dropout)") }
        for key in ["continuing_subword_prefix", "end_of_word_suffix"] where (model[key] as? String)?.isEmpty == false {
            throw unsupported("a \(key)")
        }
        if model["byte_fallback"] as? Bool == true { throw unsupported("byte_fallback") }
        if let normalizer = root["normalizer"] as? [String: Any] { throw unsupported("a normalizer (\(normalizer["type"] as? String ?? "?"))") }
        guard let pre = root["pre_tokenizer"] as? [String: Any], pre["type"] as? String == "ByteLevel", pre["use_regex"] as? Bool ?? true else {
            throw unsupported("a pre-tokenizer other than ByteLevel")
        }
        addPrefixSpace = pre["add_prefix_space"] as? Bool ?? false
        let merges = try Self.merges(model["merges"], file: file)
        var addedEntries: [(content: String, id: Int, lstrip: Bool, rstrip: Bool)] = []
        for entry in root["added_tokens"] as? [[String: Any]] ?? [] {
            guard let content = entry["content"] as? String, let id = entry["id"] as? Int, !content.isEmpty else { continue }
            addedEntries.append((content, id, entry["lstrip"] as? Bool ?? false, entry["rstrip"] as? Bool ?? false))
        }
        let checked = try ModelTokenizer.checkedIDs(vocabulary, added: addedEntries.map { ($0.content, $0.id) }, file: file)
        var ids = checked.vocabulary
        for entry in addedEntries { ids[entry.content] = ids[entry.content] ?? checked.added[entry.content] }
        addedTokens = AddedTokens(addedEntries.map {
            .init(units: Array($0.content.unicodeScalars), id: checked.added[$0.content]!, lstrip: $0.lstrip, rstrip: $0.rstrip)
        }) { $0.properties.isWhitespace }
        encoding = try BytePairEncoding(vocabulary: checked.vocabulary, merges: merges,
                                        ignoreMerges: model["ignore_merges"] as? Bool ?? false, file: file)
        self.vocabulary = ModelTokenizer.tokensByID(checked.vocabulary, added: checked.added)
        // RobertaProcessing names its tokens; without it, RoBERTa's defaults.
        let post = root["post_processor"] as? [String: Any]
        guard post == nil || post?["type"] as? String == "RobertaProcessing" else {
            throw unsupported("the post-processor `\(post?["type"] as? String ?? "?")` (RobertaProcessing is read)")
        }
        func special(_ key: String, _ fallback: String) throws(ModelError) -> Int32 {
            let named = (post?[key] as? [Any]).flatMap { $0.first as? String } ?? fallback
            guard let id = ids[named] else { throw ModelError("The vocabulary has no `\(named)` token.", file: file) }
            return id
        }
        clsID = try special("cls", "<s>")
        sepID = try special("sep", "</s>")
        padID = ids["<pad>"] ?? sepID
        unknownID = (model["unk_token"] as? String).flatMap { ids[$0] } ?? ids["<unk>"] ?? -1
    }

    /// `merges` as tokenizers writes it: a list of "a b" strings (older files) or of [a, b] pairs.
    private static func merges(_ value: Any?, file: String) throws(ModelError) -> [(String, String)] {
        guard let list = value as? [Any] else { throw ModelError("The BPE model has no merges.", file: file) }
        var pairs: [(String, String)] = []
        pairs.reserveCapacity(list.count)
        for item in list {
            if let pair = item as? [String], pair.count == 2 {
                pairs.append((pair[0], pair[1]))
            } else if let text = item as? String, let space = text.firstIndex(of: " ") {
                pairs.append((String(text[..<space]), String(text[text.index(after: space)...])))
            } else {
                throw ModelError("The merge \(item) is neither \"a b\" nor [\"a\", \"b\"].", file: file)
            }
        }
        return pairs
    }

    public func pieceIDs(_ text: String) -> [Int32] {
        let scalars = Array(text.unicodeScalars)
        var ids: [Int32] = []
        ids.reserveCapacity(scalars.count / 3 + 4)
        var bytes: [UInt8] = []
        for segment in addedTokens.split(scalars) {
            switch segment {
            case let .token(id): ids.append(id)
            case let .text(range):
                let words = addPrefixSpace && scalars[range.lowerBound] != " " ? [" "] + scalars[range] : Array(scalars[range])
                for word in ByteLevel.words(words) {
                    bytes.removeAll(keepingCapacity: true)
                    for scalar in words[word] { bytes.append(contentsOf: UTF8.encode(scalar)!) }
                    encoding.encode(bytes, into: &ids)
                }
            }
        }
        return ids
    }

    public func tokens(_ ids: [Int32]) -> [String] {
        ids.map { $0 >= 0 && Int($0) < vocabulary.count ? vocabulary[Int($0)] : "<unk>" }
    }

    public var specialIDs: Set<Int32> { [clsID, sepID, padID] }

    /// `<s> a </s></s> b </s>` (RobertaProcessing). Every token is of type 0: RoBERTa's tokenizer
    /// returns no token types, so the model reads type 0 throughout.
    public func wrapPair(_ first: [Int32], _ second: [Int32]) -> (ids: [Int32], typeIDs: [Int32]?) {
        ([clsID] + first + [sepID, sepID] + second + [sepID], nil)
    }

    public var pairSpecialTokenCount: Int { 4 }

    /// A piece that does not start with a space (`Ġ`) continues the word before it. It reads as the
    /// text its bytes encode; a piece holding part of a character reads as the vocabulary writes it
    /// (`Ã`, `©` for the two halves of `é`), as transformers shows it.
    public func readable(_ token: String) -> (text: String, joinsPrevious: Bool) {
        guard let text = ByteLevel.decode(token) else { return (token, !token.hasPrefix("Ġ")) }
        return text.first == " " ? (String(text.dropFirst()), false) : (text, true)
    }
}
