extension ModelFamily {
    /// RoBERTa (`RobertaForSequenceClassification`): BERT's encoder under BERT's names, positions
    /// that start after the padding id (`pad_token_id + 1`) and skip padding tokens, one token type, and a head of its own
    /// (`classifier.dense` with tanh on `<s>`, then `classifier.out_proj`) with dropout before each of
    /// its two layers. Its tokenizer is byte-level BPE. roberta-base is of this family.
    public static let roberta = ModelFamily(
        modelType: "roberta", architecture: "RobertaForSequenceClassification", basePrefix: "roberta.",
        names: {
            var names = ModelFamily.bert.names
            (names.headDense, names.classifier) = ("classifier.dense", "classifier.out_proj")
            return names
        }(),
        headActivation: .tanh, dropsAttentionOutput: true, dropsHeadInput: true, positionsSkipPadding: true,
        readConfig: { config, keys throws(ModelError) in
            // RobertaConfig's defaults where they differ from BERT's (`ModelConfig` has read a given pad_token_id).
            config.vocabSize = 50265
            if keys.object["pad_token_id"] == nil { config.padTokenID = 1 }
            try ModelFamily.bert.readConfig(&config, keys)
            // transformers numbers a sequence's positions from padding_idx + 1 (`create_position_ids_from_input_ids`).
            config.positionOffset = config.padTokenID + 1
            guard config.positionOffset >= 0, config.positionOffset < config.maxPositionEmbeddings else {
                throw ModelError("pad_token_id \(config.padTokenID) leaves no positions of the \(config.maxPositionEmbeddings) for tokens.", file: keys.file)
            }
        },
        sizeKeys: { config in ModelFamily.bert.sizeKeys(config) })
}
