import LecternNotebook

/// `model`, as the cells that use a model name it: `tokenize` must name one; `train`, `evaluate`
/// and `predict` may name one instead of the model the notebook made above them.
enum ModelChoice {
    static let required = Parameter<String>.requiredText("model",
        "The model whose tokenizer to use: a name (e.g. `sentence-transformers/all-MiniLM-L6-v2`) or a folder.")
    static let instead = Parameter<String?>.text("model",
        "A checkpoint folder or model name (default: the model above it: for `train` the `tokenize` cell's, else the one trained).")
}
