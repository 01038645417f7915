import Foundation
import LecternWeights

extension BertTokenizer {
    /// Loads the tokenizer of a Hugging Face model folder: `tokenizer.json` if present (what
    /// `AutoTokenizer` loads as a fast tokenizer), else `vocab.txt` with `tokenizer_config.json`.
    public convenience init(folder: String) throws(ModelError) {
        let json = (folder as NSString).appendingPathComponent("tokenizer.json")
        if FileManager.default.fileExists(atPath: json) {
            try self.init(tokenizerJSON: json)
        } else {
            try self.init(vocabularyFile: (folder as NSString).appendingPathComponent("vocab.txt"),
                          configFile: (folder as NSString).appendingPathComponent("tokenizer_config.json"))
        }
    }

    /// Reads a `tokenizer.json` whose model is WordPiece with a BERT normaliser.
    public convenience init(tokenizerJSON path: String) throws(ModelError) {
        try self.init(tokenizerJSON: try ModelTokenizer.tokenizerJSON(path), file: path)
    }

    /// A parsed `tokenizer.json` (`ModelTokenizer.load` parses it once to choose the tokenizer).
    convenience init(tokenizerJSON root: [String: Any], file path: String) throws(ModelError) {
        guard let model = root["model"] as? [String: Any], model["type"] as? String == "WordPiece",
              let vocabulary = model["vocab"] as? [String: Int] else {
            throw ModelError("This tokenizer is not a WordPiece tokenizer; Lectern runs BERT's.", file: path)
        }
        var normalizer = BertNormalizer()
        if let settings = root["normalizer"] as? [String: Any] {
            guard settings["type"] as? String == "BertNormalizer" else {
                throw ModelError("The normalizer is `\(settings["type"] ?? "?")`; Lectern supports BertNormalizer.", file: path)
            }
            normalizer.cleanText = settings["clean_text"] as? Bool ?? true
            normalizer.handleChineseChars = settings["handle_chinese_chars"] as? Bool ?? true
            normalizer.lowercase = settings["lowercase"] as? Bool ?? true
            normalizer.stripAccents = settings["strip_accents"] as? Bool ?? normalizer.lowercase
        }
        var added: [(String, Int)] = []
        for entry in root["added_tokens"] as? [[String: Any]] ?? [] {
            if let content = entry["content"] as? String, let id = entry["id"] as? Int { added.append((content, id)) }
        }
        let checked = try ModelTokenizer.checkedIDs(vocabulary, added: added, file: path)
        try self.init(vocabulary: checked.vocabulary, normalizer: normalizer, addedTokens: checked.added,
                      unknownToken: model["unk_token"] as? String ?? "[UNK]",
                      continuingSubwordPrefix: model["continuing_subword_prefix"] as? String ?? "##",
                      maxInputCharsPerWord: model["max_input_chars_per_word"] as? Int ?? 100, file: path)
    }

    /// Reads `vocab.txt` (one token per line, id = line number) and the options of `tokenizer_config.json`.
    public convenience init(vocabularyFile path: String, configFile: String) throws(ModelError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ModelError("Cannot read the vocabulary.", file: path, hint: "A BERT model folder has tokenizer.json or vocab.txt.")
        }
        var vocabulary: [String: Int32] = [:]
        var id: Int32 = 0
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false) {
            let token = line.hasSuffix("\r") ? String(line.dropLast()) : String(line)
            if !token.isEmpty || id == 0 { vocabulary[token] = vocabulary[token] ?? id }
            id += 1
        }
        let config = try ModelTokenizer.tokenizerConfig(at: configFile)
        var normalizer = BertNormalizer()
        normalizer.lowercase = config["do_lower_case"] as? Bool ?? true
        normalizer.handleChineseChars = config["tokenize_chinese_chars"] as? Bool ?? true
        normalizer.stripAccents = config["strip_accents"] as? Bool ?? normalizer.lowercase
        let specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
        let added = Dictionary(uniqueKeysWithValues: specials.compactMap { token in vocabulary[token].map { (token, $0) } })
        try self.init(vocabulary: vocabulary, normalizer: normalizer, addedTokens: added,
                      unknownToken: config["unk_token"] as? String ?? "[UNK]", continuingSubwordPrefix: "##",
                      maxInputCharsPerWord: 100, file: path)
    }
}
