/// The embeddings: word + position (+ the token's type, in a family that has token types: 0 for a
/// single text, 0 and 1 for the two texts of a BERT sentence pair), for packed sequences.
/// `positions` is `positionRows(batch, config:)`, which training keeps for the backward pass.
func embeddingForward(output: UnsafeMutablePointer<Float>, batch: TokenBatch, positions: [Int], parameters p: ModelParameters) {
    let h = p.config.hiddenSize
    for sequence in 0..<batch.count {
        let start = batch.sequenceStarts[sequence], end = batch.sequenceStarts[sequence + 1]
        for token in start..<end {
            let word = p.pointer(p.wordEmbeddings) + Int(batch.ids[token]) * h
            let position = p.pointer(p.positionEmbeddings) + positions[token] * h
            let out = output + token * h
            if let tokenTypes = p.tokenTypeEmbeddings {
                let type = p.pointer(tokenTypes) + batch.typeID(at: token) * h
                for index in 0..<h { out[index] = word[index] + position[index] + type[index] }
            } else {
                for index in 0..<h { out[index] = word[index] + position[index] }
            }
        }
    }
}

/// Each token's row of the position table. BERT and DistilBERT number a sequence's tokens from 0;
/// RoBERTa from `pad_token_id + 1`, skipping padding tokens, which take row `pad_token_id`
/// (transformers' `create_position_ids_from_input_ids`; it matters for a `<pad>` written in a text).
func positionRows(_ batch: TokenBatch, config: ModelConfig) -> [Int] {
    var rows = [Int](repeating: 0, count: batch.tokenCount)
    let skipsPadding = config.family.positionsSkipPadding, pad = Int32(truncatingIfNeeded: config.padTokenID)
    for sequence in 0..<batch.count {
        var next = config.positionOffset
        for token in batch.sequenceStarts[sequence]..<batch.sequenceStarts[sequence + 1] {
            if skipsPadding && batch.ids[token] == pad {
                rows[token] = config.padTokenID
            } else {
                rows[token] = next
                next += 1
            }
        }
    }
    return rows
}

/// The backward pass of `embeddingForward`: scatters each token's gradient `[tokens, hidden]` into
/// its rows of the word, position (and token type) tables of `gradients`.
func embeddingBackward(gradients g: UnsafeMutablePointer<Float>, outputGradient: UnsafePointer<Float>, batch: TokenBatch, positions: [Int],
                       parameters p: ModelParameters) {
    let h = p.config.hiddenSize
    for token in 0..<batch.tokenCount {
        let source = outputGradient + token * h
        let word = g + p.wordEmbeddings + Int(batch.ids[token]) * h
        let position = g + p.positionEmbeddings + positions[token] * h
        for index in 0..<h {
            word[index] += source[index]
            position[index] += source[index]
        }
        if let tokenTypes = p.tokenTypeEmbeddings {
            let type = g + tokenTypes + batch.typeID(at: token) * h
            for index in 0..<h { type[index] += source[index] }
        }
    }
}
