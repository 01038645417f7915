extension ModelFamily {
    /// DistilBERT (`DistilBertForSequenceClassification`): no token types, learned positions, no
    /// dropout after the attention's output projection, and a head of `pre_classifier` with ReLU on
    /// the first token. distilbert-base-uncased is of this family; its tokenizer is BERT's WordPiece.
    public static let distilbert = ModelFamily(
        modelType: "distilbert", architecture: "DistilBertForSequenceClassification", basePrefix: "distilbert.",
        names: TensorNames(
            wordEmbeddings: "embeddings.word_embeddings", positionEmbeddings: "embeddings.position_embeddings",
            tokenTypeEmbeddings: nil, embeddingNorm: "embeddings.LayerNorm",
            layerPrefix: "transformer.layer.",
            query: "attention.q_lin", key: "attention.k_lin", value: "attention.v_lin",
            attentionOutput: "attention.out_lin", attentionNorm: "sa_layer_norm",
            intermediate: "ffn.lin1", output: "ffn.lin2", outputNorm: "output_layer_norm",
            headDense: "pre_classifier", classifier: "classifier", outsideBase: ["pre_classifier", "classifier"]),
        headActivation: .relu, dropsAttentionOutput: false,
        readConfig: { config, keys throws(ModelError) in
            // DistilBertConfig's names and defaults; its LayerNorms' epsilon is fixed at 1e-12.
            (config.hiddenSize, config.numHiddenLayers, config.numAttentionHeads, config.intermediateSize) = (768, 6, 12, 3072)
            config.typeVocabSize = 0
            config.classifierDropout = 0.2
            try keys.integer("vocab_size", &config.vocabSize)
            try keys.integer("dim", &config.hiddenSize)
            try keys.integer("n_layers", &config.numHiddenLayers)
            try keys.integer("n_heads", &config.numAttentionHeads)
            try keys.integer("hidden_dim", &config.intermediateSize)
            try keys.integer("max_position_embeddings", &config.maxPositionEmbeddings)
            try keys.real("dropout", &config.hiddenDropoutProb)
            try keys.real("attention_dropout", &config.attentionProbsDropoutProb)
            config.classifierDropout = keys.optionalReal("seq_classif_dropout") ?? config.classifierDropout
            config.hiddenAct = try keys.activation("activation")
            if keys.object["sinusoidal_pos_embds"] as? Bool == true {
                throw ModelError("sinusoidal_pos_embds is true: this DistilBERT has fixed sinusoidal positions; Lectern supports learned positions.",
                                 file: keys.file, hint: "distilbert-base-uncased and its fine-tuned checkpoints learn their positions (sinusoidal_pos_embds: false).")
            }
        },
        sizeKeys: { config in
            ["vocab_size": .integer(config.vocabSize), "dim": .integer(config.hiddenSize), "n_layers": .integer(config.numHiddenLayers),
             "n_heads": .integer(config.numAttentionHeads), "hidden_dim": .integer(config.intermediateSize),
             "max_position_embeddings": .integer(config.maxPositionEmbeddings)]
        })
}
