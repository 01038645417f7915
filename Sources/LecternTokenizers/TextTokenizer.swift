import Foundation
import LecternWeights

/// One text's (or sentence pair's) token ids, as the fast tokenizer returns them for
/// `tokenizer(text, truncation=...)` or `tokenizer(text, text_pair, truncation=...)`.
public struct Encoding: Sendable, Equatable {
    /// With the family's special tokens: `[CLS] … [SEP]`, `<s> … </s>`, `[CLS] a [SEP] b [SEP]`.
    public var ids: [Int32]
    /// How many pieces truncation removed (0 when the text fitted).
    public var truncatedTokens: Int
    /// Each token's segment, `token_type_ids` (BERT: 0 up to the first `[SEP]`, then 1); nil when all are 0.
    public var typeIDs: [Int32]?

    public init(ids: [Int32], truncatedTokens: Int, typeIDs: [Int32]? = nil) {
        self.ids = ids
        self.truncatedTokens = truncatedTokens
        self.typeIDs = typeIDs
    }
}

/// How a sentence pair is cut to `max_length` (transformers' `truncation=` strategies).
public enum TruncationStrategy: String, Sendable, CaseIterable {
    /// Cut the longer text first: the shorter keeps what it can, down to half the room each.
    case longestFirst = "longest_first"
    case onlyFirst = "only_first"
    case onlySecond = "only_second"

    /// How many pieces of each text stay when `n1 + n2` pieces must fit `room`.
    public func kept(_ n1: Int, _ n2: Int, room: Int) throws(TruncationError) -> (Int, Int) {
        let excess = n1 + n2 - room
        // No room at all empties both texts, whatever the strategy (as the crate does).
        if room == 0 { return (0, 0) }
        switch self {
        case .longestFirst:
            // The shorter text keeps all it has if the longer one can give up the rest; else each keeps half.
            var (short, long) = (min(n1, n2), max(n1, n2))
            long = short > room ? short : max(short, room - short)
            if short + long > room { (short, long) = (room / 2, room / 2 + room % 2) }
            return n1 > n2 ? (long, short) : (short, long)
        case .onlyFirst, .onlySecond:
            let target = self == .onlyFirst ? n1 : n2
            guard target > excess else {
                throw TruncationError(message: "The \(self == .onlyFirst ? "first" : "second") text has \(target) pieces, too few to cut \(excess) from it (truncation: \(rawValue)).")
            }
            return self == .onlyFirst ? (n1 - excess, n2) : (n1, n2 - excess)
        }
    }
}

/// A pair that cannot be cut to `max_length` as asked (the text to cut is too short), in the tokenizers crate's words.
public struct TruncationError: Error, Sendable, Equatable {
    public var message: String
}

/// What the runner and the engine need of a tokenizer, whatever its algorithm: WordPiece
/// (`BertTokenizer`: BERT, DistilBERT) or byte-level BPE (`ByteLevelBPETokenizer`: RoBERTa).
public protocol TextTokenizer: AnyObject, Sendable {
    /// The pieces' ids, without special tokens and without truncation.
    func pieceIDs(_ text: String) -> [Int32]
    /// The token before every text (`[CLS]`, `<s>`) and after it (`[SEP]`, `</s>`).
    var clsID: Int32 { get }
    var sepID: Int32 { get }
    /// A pair's two texts with the special tokens around them, and their token types.
    func wrapPair(_ first: [Int32], _ second: [Int32]) -> (ids: [Int32], typeIDs: [Int32]?)
    /// How many special tokens `wrapPair` adds.
    var pairSpecialTokenCount: Int { get }
    /// Each id's token as the vocabulary writes it (`##ing`, `Ġworld`): transformers' `convert_ids_to_tokens`.
    func tokens(_ ids: [Int32]) -> [String]
    /// The ids of the tokens the tokenizer adds around a text, and padding.
    var specialIDs: Set<Int32> { get }
    /// The id of the unknown token, if the vocabulary has one.
    var unknownID: Int32 { get }
    /// How a token reads in a transcript, and whether it continues the word before it (no space
    /// between them in the text).
    func readable(_ token: String) -> (text: String, joinsPrevious: Bool)
}

extension TextTokenizer {
    /// The ids the model reads: `[CLS] pieces [SEP]` (`<s> pieces </s>`); with `maxLength`, the
    /// pieces are cut from the end so that the whole fits.
    public func encode(_ text: String, maxLength: Int? = nil) -> Encoding {
        var pieces = pieceIDs(text)
        var truncated = 0
        if let maxLength, pieces.count + 2 > maxLength {
            let keep = max(0, maxLength - 2)
            truncated = pieces.count - keep
            pieces.removeSubrange(keep...)
        }
        return Encoding(ids: [clsID] + pieces + [sepID], truncatedTokens: truncated)
    }

    /// A sentence pair as the model reads it, cut to `maxLength` by `strategy` as the tokenizers
    /// crate cuts it (`truncate_encodings`; the room is `maxLength` less the special tokens).
    public func encode(_ text: String, pair: String, maxLength: Int?, strategy: TruncationStrategy = .longestFirst) throws(TruncationError) -> Encoding {
        var first = pieceIDs(text), second = pieceIDs(pair)
        let total = first.count + second.count
        if let maxLength, total + pairSpecialTokenCount > maxLength {
            let room = max(0, maxLength - pairSpecialTokenCount)
            let (keepFirst, keepSecond) = try strategy.kept(first.count, second.count, room: room)
            first.removeSubrange(min(keepFirst, first.count)...)
            second.removeSubrange(min(keepSecond, second.count)...)
        }
        let wrapped = wrapPair(first, second)
        return Encoding(ids: wrapped.ids, truncatedTokens: total - first.count - second.count, typeIDs: wrapped.typeIDs)
    }
}

/// The tokenizer of a Hugging Face model folder, chosen as `AutoTokenizer` chooses it: by the
/// model of its `tokenizer.json`, else by the files of a slow tokenizer (`vocab.txt`).
public enum ModelTokenizer {
    public static func load(folder: String) throws(ModelError) -> any TextTokenizer {
        // A damaged tokenizer_config.json stops here, as it stops transformers, rather than being read as no settings.
        _ = try tokenizerConfig(at: (folder as NSString).appendingPathComponent("tokenizer_config.json"))
        let json = (folder as NSString).appendingPathComponent("tokenizer.json")
        guard FileManager.default.fileExists(atPath: json) else { return try BertTokenizer(folder: folder) }
        let root = try tokenizerJSON(json)
        switch (root["model"] as? [String: Any])?["type"] as? String {
        case "BPE": return try ByteLevelBPETokenizer(tokenizerJSON: root, file: json)
        case "WordPiece": return try BertTokenizer(tokenizerJSON: root, file: json)
        case let other:
            throw ModelError("This tokenizer's model is `\(other ?? "missing")`; Lectern reads WordPiece (BERT, DistilBERT) and byte-level BPE (RoBERTa).",
                             file: json)
        }
    }

    /// Tokens per text where `truncation=True` cuts without a `max_length`: the tokenizer's
    /// `model_max_length`, within the model's `positions`. The one rule for `tokenize`, `predict`
    /// and `TextClassifier`.
    public static func defaultMaxLength(folder: String, positions: Int) -> Int {
        min(positions, modelMaxLength(folder: folder) ?? positions)
    }

    /// tokenizer_config.json's `model_max_length`: where `truncation=True` cuts when no `max_length`
    /// is given. nil when the folder does not say (or says transformers' "unset", a huge number).
    static func modelMaxLength(folder: String) -> Int? {
        guard let config = try? tokenizerConfig(at: (folder as NSString).appendingPathComponent("tokenizer_config.json")),
              let length = config["model_max_length"] as? Double, length >= 2, length <= 1_000_000 else { return nil }
        return Int(length)
    }

    /// tokenizer_config.json's settings: none when the folder has no such file; an error naming the file
    /// when it is not a JSON object (cut off, or not written by a tokenizer).
    static func tokenizerConfig(at path: String) throws(ModelError) -> [String: Any] {
        guard let data = FileManager.default.contents(atPath: path) else { return [:] }
        guard let config = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw ModelError("tokenizer_config.json is not valid JSON, so the tokenizer's settings (model_max_length, lower-casing) cannot be read.",
                             file: path, hint: "The file is damaged: take it again from where the model came from (transformers stops here too).")
        }
        return config
    }

    /// A file's token ids (the vocabulary with its added tokens), held to what a table by id can
    /// be: whole numbers from 0, and none far beyond the number of tokens (a hostile file's id of
    /// 2,000,000,000 would otherwise ask for a table of two billion entries).
    static func checkedIDs(_ vocabulary: [String: Int], added: [(String, Int)], file: String) throws(ModelError) -> (vocabulary: [String: Int32], added: [String: Int32]) {
        // A table of a million names is 16 MB: room for any real vocabulary's ids, holes included.
        let limit = max(1 << 20, 4 * (vocabulary.count + added.count))
        func check(_ token: String, _ id: Int) throws(ModelError) -> Int32 {
            guard id >= 0, id < limit else {
                throw ModelError("The token `\(token.prefix(40))` has the id \(id), outside 0 to \(limit - 1) for a vocabulary of \(vocabulary.count) tokens.",
                                 file: file, hint: "The file is damaged or was not written by a tokenizer; take it again from where the model came from.")
            }
            return Int32(id)
        }
        var checked: [String: Int32] = [:], addedIDs: [String: Int32] = [:]
        checked.reserveCapacity(vocabulary.count)
        for (token, id) in vocabulary { checked[token] = try check(token, id) }
        for (token, id) in added { addedIDs[token] = try check(token, id) }
        return (checked, addedIDs)
    }

    /// Token text by id, the table `tokens(_:)` reads: the vocabulary, then added tokens where the
    /// vocabulary has no token of their id.
    static func tokensByID(_ vocabulary: [String: Int32], added: [String: Int32]) -> [String] {
        var byID = [String](repeating: "", count: Int(max(vocabulary.values.max() ?? -1, added.values.max() ?? -1)) + 1)
        for (token, id) in vocabulary { byID[Int(id)] = token }
        for (token, id) in added where Int(id) < byID.count && byID[Int(id)].isEmpty { byID[Int(id)] = token }
        return byID
    }

    static func tokenizerJSON(_ path: String) throws(ModelError) -> [String: Any] {
        guard let data = FileManager.default.contents(atPath: path) else { throw ModelError("Cannot read this file.", file: path) }
        guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw ModelError("This is not valid JSON.", file: path)
        }
        return root
    }
}
