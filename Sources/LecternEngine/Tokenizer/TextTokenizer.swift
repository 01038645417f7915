import Foundation

/// One text's token ids, as the fast tokenizer returns them for `tokenizer(text, truncation=...)`.
public struct Encoding: Sendable, Equatable {
    /// With the family's special tokens: `[CLS] … [SEP]`, `<s> … </s>`.
    public var ids: [Int32]
    /// How many pieces truncation removed (0 when the text fitted).
    public var truncatedTokens: Int
}

/// What the runner and the engine need of a tokenizer, whatever its algorithm: WordPiece
/// (`BertTokenizer`: BERT, DistilBERT) or byte-level BPE (`ByteLevelBPETokenizer`: RoBERTa).
public protocol TextTokenizer: AnyObject, Sendable {
    /// The pieces' ids, without special tokens and without truncation.
    func pieceIDs(_ text: String) -> [Int32]
    /// The token before every text (`[CLS]`, `<s>`) and after it (`[SEP]`, `</s>`).
    var clsID: Int32 { get }
    var sepID: Int32 { get }
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
}

/// The tokenizer of a Hugging Face model folder, chosen as `AutoTokenizer` chooses it: by the
/// model of its `tokenizer.json`, else by the files of a slow tokenizer (`vocab.txt`).
public enum ModelTokenizer {
    public static func load(folder: String) throws(ModelError) -> any TextTokenizer {
        let json = (folder as NSString).appendingPathComponent("tokenizer.json")
        guard FileManager.default.fileExists(atPath: json) else { return try BertTokenizer(folder: folder) }
        let root = try tokenizerJSON(json)
        switch (root["model"] as? [String: Any])?["type"] as? String {
        case "BPE": return try ByteLevelBPETokenizer(tokenizerJSON: root, file: json)
        case "WordPiece": return try BertTokenizer(tokenizerJSON: json)
        case let other:
            throw ModelError("This tokenizer's model is `\(other ?? "missing")`; Lectern reads WordPiece (BERT, DistilBERT) and byte-level BPE (RoBERTa).",
                             file: json)
        }
    }

    /// tokenizer_config.json's `model_max_length`: where `truncation=True` cuts when no `max_length`
    /// is given. nil when the folder does not say (or says transformers' "unset", a huge number).
    public static func modelMaxLength(folder: String) -> Int? {
        let path = (folder as NSString).appendingPathComponent("tokenizer_config.json")
        guard let data = FileManager.default.contents(atPath: path),
              let config = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
              let length = config["model_max_length"] as? Double, length >= 2, length <= 1_000_000 else { return nil }
        return Int(length)
    }

    static func tokenizerJSON(_ path: String) throws(ModelError) -> [String: Any] {
        guard let data = FileManager.default.contents(atPath: path) else { throw ModelError("Cannot read this file.", file: path) }
        guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw ModelError("This is not valid JSON.", file: path)
        }
        return root
    }
}
