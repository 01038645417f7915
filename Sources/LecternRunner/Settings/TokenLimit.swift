import LecternNotebook

/// `max_length`, shared by `tokenize` and `predict`. Its default is worked out once, where the texts
/// are tokenized (`ModelTokenizer.maxLength`), and `predict` reuses what `tokenize` stored.
enum TokenLimit {
    static let maxLength = Parameter<Int?>.integer("max_length", 2...8192,
        "Tokens per text with the special tokens ([CLS] and [SEP], <s> and </s>); longer texts are cut (default: as tokenized above, "
            + "else the tokenizer's `model_max_length` within the model's positions, 512 for BERT).")
}
