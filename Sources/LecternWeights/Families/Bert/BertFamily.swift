extension ModelFamily {
    /// BERT (`BertForSequenceClassification`): token types, a pooler with tanh on [CLS], dropout
    /// after every projection. all-MiniLM-L6-v2 and bert-base-uncased are of this family.
    public static let bert = ModelFamily(
        modelType: "bert", architecture: "BertForSequenceClassification", basePrefix: "bert.",
        names: TensorNames(
            wordEmbeddings: "embeddings.word_embeddings", positionEmbeddings: "embeddings.position_embeddings",
            tokenTypeEmbeddings: "embeddings.token_type_embeddings", embeddingNorm: "embeddings.LayerNorm",
            layerPrefix: "encoder.layer.",
            query: "attention.self.query", key: "attention.self.key", value: "attention.self.value",
            attentionOutput: "attention.output.dense", attentionNorm: "attention.output.LayerNorm",
            intermediate: "intermediate.dense", output: "output.dense", outputNorm: "output.LayerNorm",
            headDense: "pooler.dense", classifier: "classifier", outsideBase: ["classifier"]),
        headActivation: .tanh, dropsAttentionOutput: true,
        readConfig: { config, keys throws(ModelError) in
            try keys.integer("vocab_size", &config.vocabSize)
            try keys.integer("hidden_size", &config.hiddenSize)
            try keys.integer("num_hidden_layers", &config.numHiddenLayers)
            try keys.integer("num_attention_heads", &config.numAttentionHeads)
            try keys.integer("intermediate_size", &config.intermediateSize)
            try keys.integer("max_position_embeddings", &config.maxPositionEmbeddings)
            try keys.integer("type_vocab_size", &config.typeVocabSize)
            try keys.real("hidden_dropout_prob", &config.hiddenDropoutProb)
            try keys.real("attention_probs_dropout_prob", &config.attentionProbsDropoutProb)
            try keys.real("layer_norm_eps", &config.layerNormEps)
            config.classifierDropout = keys.optionalReal("classifier_dropout")
            config.hiddenAct = try keys.activation("hidden_act")
            if let position = keys.object["position_embedding_type"] as? String, position != "absolute" {
                throw ModelError("position_embedding_type `\(position)` is not supported; Lectern supports absolute positions.", file: keys.file)
            }
        },
        sizeKeys: { config in
            ["vocab_size": .integer(config.vocabSize), "hidden_size": .integer(config.hiddenSize),
             "num_hidden_layers": .integer(config.numHiddenLayers), "num_attention_heads": .integer(config.numAttentionHeads),
             "intermediate_size": .integer(config.intermediateSize), "max_position_embeddings": .integer(config.maxPositionEmbeddings),
             "layer_norm_eps": .number(Double(config.layerNormEps))]
        })
}
