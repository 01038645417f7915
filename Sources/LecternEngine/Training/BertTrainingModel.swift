import Foundation

/// BERT for sequence classification in training mode: a forward pass that keeps every activation
/// the backward pass needs, the cross-entropy loss, and the backward pass, which reads top to
/// bottom as the forward pass reversed (llm.c's structure). Gradients accumulate into
/// `gradients`, laid out exactly as `parameters.storage`.
public final class BertTrainingModel: @unchecked Sendable {
    public let parameters: BertParameters
    /// ∂loss/∂parameter, same offsets as `parameters`.
    public let gradients: UnsafeMutableBufferPointer<Float>
    public var config: BertConfig { parameters.config }
    /// Dropout probabilities in training mode (`hidden`, `attention`, `classifier`); zero turns dropout off.
    public var dropout: Dropout
    /// The matrix products' precision (`MatrixPrecision.forRequest` says what the CPU allows).
    public var precision: MatrixPrecision = .float32

    public struct Dropout: Sendable, Equatable {
        public var hidden: Float
        public var attention: Float
        public var classifier: Float

        public init(hidden: Float, attention: Float, classifier: Float) {
            self.hidden = hidden
            self.attention = attention
            self.classifier = classifier
        }

        public static let off = Dropout(hidden: 0, attention: 0, classifier: 0)

        /// The probabilities config.json sets (`classifier_dropout` falls back to `hidden_dropout_prob`).
        public init(config: BertConfig) {
            self.init(hidden: config.hiddenDropoutProb, attention: config.attentionProbsDropoutProb,
                      classifier: config.classifierDropout ?? config.hiddenDropoutProb)
        }
    }

    private var activations = Activations()
    private var batch = TokenBatch([])
    private var labels: [Int] = []
    private var generator: DropoutGenerator

    public init(parameters: BertParameters, dropout: Dropout? = nil, seed: UInt64 = 42) {
        self.parameters = parameters
        self.dropout = dropout ?? Dropout(config: parameters.config)
        gradients = .allocate(capacity: parameters.count)
        gradients.initialize(repeating: 0)
        generator = DropoutGenerator(seed: seed)
    }

    deinit { gradients.deallocate() }

    /// Sets every gradient to zero; of the word-embedding table, only the rows the last batches touched.
    public func zeroGradients() {
        let values = gradients.baseAddress!, table = wordEmbeddingTable
        let ranges = [0..<table.lowerBound, table.upperBound..<gradients.count] + sparseRows.ranges
        parallelParts(of: ranges) { _, range in (values + range.lowerBound).update(repeating: 0, count: range.count) }
        touchedWords = []
    }

    /// The word-embedding rows with a gradient since the last `zeroGradients()` (the batches' token ids);
    /// the rest of that table's gradient is zero.
    public var sparseRows: SparseRows { SparseRows(table: wordEmbeddingTable, width: config.hiddenSize, rows: touchedWords) }

    private var touchedWords: [Int] = []
    private var wordEmbeddingTable: Range<Int> {
        parameters.wordEmbeddings..<(parameters.wordEmbeddings + config.vocabSize * config.hiddenSize)
    }

    /// Restarts the dropout stream (so that a step can be repeated exactly, e.g. after resuming).
    public func reseedDropout(_ seed: UInt64) {
        generator = DropoutGenerator(seed: seed)
    }

    /// Forward pass in training mode; returns the mean cross-entropy loss over the batch and the logits.
    public func forward(_ batch: TokenBatch, labels: [Int]) throws(ModelError) -> (loss: Float, logits: [Float]) {
        let config = self.config
        guard batch.longest <= config.maxPositionEmbeddings else {
            throw ModelError("A sequence of \(batch.longest) tokens is longer than the model's \(config.maxPositionEmbeddings) positions.",
                             file: "config.json", hint: "Truncate the texts (truncation: true).")
        }
        guard labels.count == batch.count, labels.allSatisfy({ $0 >= 0 && $0 < config.numLabels }) else {
            throw ModelError("The labels do not fit the model's \(config.numLabels) classes.", file: "config.json")
        }
        self.batch = batch
        self.labels = labels
        let h = config.hiddenSize, n = batch.tokenCount, i = config.intermediateSize, heads = config.numAttentionHeads
        let layers = config.numHiddenLayers, sequences = batch.count, labelCount = config.numLabels
        activations.reserve(tokens: n, hidden: h, intermediate: i, layers: layers, attention: heads * batch.attentionArea,
                            sequences: sequences, labels: labelCount)
        let a = activations, p = parameters, precision = self.precision

        embeddingForward(output: a.embeddingSum, batch: batch, parameters: p)
        layerNormForward(output: a.hidden[0], mean: a.embeddingMean, rstd: a.embeddingRstd, input: a.embeddingSum,
                         weight: p.pointer(p.embeddingNormWeight), bias: p.pointer(p.embeddingNormBias), rows: n, width: h, epsilon: config.layerNormEps)
        if dropout.hidden > 0 {
            generator.fill(a.embeddingMask, count: n * h, probability: dropout.hidden)
            applyMask(a.hidden[0], a.embeddingMask, count: n * h)
        }

        for (index, layer) in p.layers.enumerated() {
            let s = a.layers[index]
            if dropout.attention > 0 { generator.fill(s.attentionMask, count: heads * batch.attentionArea, probability: dropout.attention) }
            if dropout.hidden > 0 {
                generator.fill(s.attentionOutputMask, count: n * h, probability: dropout.hidden)
                generator.fill(s.outputMask, count: n * h, probability: dropout.hidden)
            }
            let masks = dropout.attention > 0 || dropout.hidden > 0
                ? (attention: dropout.attention > 0 ? UnsafePointer(s.attentionMask) : nil, droppedProbabilities: s.droppedProbabilities,
                   attentionOutput: dropout.hidden > 0 ? UnsafePointer(s.attentionOutputMask) : nil, output: dropout.hidden > 0 ? UnsafePointer(s.outputMask) : nil)
                : nil
            let buffers = EncoderLayerBuffers(qkv: s.qkv, context: s.context, probabilities: s.probabilities, attentionProjection: s.attentionProjection,
                                              attentionSum: s.attentionSum, attentionNorm: s.attentionNorm, attentionMean: s.attentionMean,
                                              attentionRstd: s.attentionRstd, intermediatePre: s.intermediatePre, intermediate: s.intermediate,
                                              outputProjection: s.outputProjection, outputSum: s.outputSum, outputMean: s.outputMean,
                                              outputRstd: s.outputRstd, dropout: masks)
            encoderLayerForward(output: a.hidden[index + 1], input: a.hidden[index], layer: layer, parameters: p, buffers: buffers, batch: batch, precision: precision)
        }

        // Pooler on [CLS], dropout, classifier, cross-entropy.
        let last = a.hidden[layers]
        for sequence in 0..<sequences {
            (a.clsHidden + sequence * h).update(from: last + batch.sequenceStarts[sequence] * h, count: h)
        }
        precision.multiply(transposeA: false, transposeB: true, m: sequences, n: h, k: h, a: a.clsHidden, lda: h, b: p.pointer(p.poolerWeight), ldb: h,
                   c: a.pooled, ldc: h)
        addBias(a.pooled, p.pointer(p.poolerBias), rows: sequences, columns: h)
        for index in 0..<(sequences * h) { a.pooled[index] = tanhf(a.pooled[index]) }
        a.pooledDropped.update(from: a.pooled, count: sequences * h)
        if dropout.classifier > 0 {
            generator.fill(a.classifierMask, count: sequences * h, probability: dropout.classifier)
            applyMask(a.pooledDropped, a.classifierMask, count: sequences * h)
        }
        precision.multiply(transposeA: false, transposeB: true, m: sequences, n: labelCount, k: h, a: a.pooledDropped, lda: h,
                   b: p.pointer(p.classifierWeight), ldb: h, c: a.logits, ldc: labelCount)
        addBias(a.logits, p.pointer(p.classifierBias), rows: sequences, columns: labelCount)
        var loss: Double = 0
        for sequence in 0..<sequences {
            let row = a.logits + sequence * labelCount
            let probabilities = a.probabilities + sequence * labelCount
            let largest = (0..<labelCount).map { row[$0] }.max()!
            var sum: Double = 0
            for label in 0..<labelCount { sum += Foundation.exp(Double(row[label] - largest)) }
            for label in 0..<labelCount { probabilities[label] = Float(Foundation.exp(Double(row[label] - largest)) / sum) }
            loss += Foundation.log(sum) + Double(largest) - Double(row[labels[sequence]])
        }
        return (Float(loss / Double(sequences)), Array(UnsafeBufferPointer(start: a.logits, count: sequences * labelCount)))
    }

    /// Backward pass of the last `forward`: adds ∂loss/∂parameters to `gradients`.
    public func backward() {
        let config = self.config, p = parameters, a = activations, g = gradients.baseAddress!, precision = self.precision
        let h = config.hiddenSize, n = batch.tokenCount, i = config.intermediateSize, heads = config.numAttentionHeads
        let sequences = batch.count, labelCount = config.numLabels, layers = config.numHiddenLayers

        // Cross-entropy (mean over the batch) → logits.
        for sequence in 0..<sequences {
            for label in 0..<labelCount {
                let index = sequence * labelCount + label
                a.logitsGradient[index] = (a.probabilities[index] - (label == labels[sequence] ? 1 : 0)) / Float(sequences)
            }
        }
        // Classifier.
        precision.multiply(transposeA: true, transposeB: false, m: labelCount, n: h, k: sequences, a: a.logitsGradient, lda: labelCount, b: a.pooledDropped, ldb: h,
                   beta: 1, c: g + p.classifierWeight, ldc: h)
        biasBackward(g + p.classifierBias, a.logitsGradient, rows: sequences, columns: labelCount)
        precision.multiply(transposeA: false, transposeB: false, m: sequences, n: h, k: labelCount, a: a.logitsGradient, lda: labelCount,
                   b: p.pointer(p.classifierWeight), ldb: h, c: a.pooledGradient, ldc: h)
        if dropout.classifier > 0 { applyMask(a.pooledGradient, a.classifierMask, count: sequences * h) }
        // Pooler: tanh' = 1 − tanh².
        for index in 0..<(sequences * h) { a.pooledGradient[index] *= 1 - a.pooled[index] * a.pooled[index] }
        precision.multiply(transposeA: true, transposeB: false, m: h, n: h, k: sequences, a: a.pooledGradient, lda: h, b: a.clsHidden, ldb: h,
                   beta: 1, c: g + p.poolerWeight, ldc: h)
        biasBackward(g + p.poolerBias, a.pooledGradient, rows: sequences, columns: h)
        precision.multiply(transposeA: false, transposeB: false, m: sequences, n: h, k: h, a: a.pooledGradient, lda: h, b: p.pointer(p.poolerWeight), ldb: h,
                   c: a.clsGradient, ldc: h)
        // Only the [CLS] rows of the last hidden state receive gradient from the head.
        let hiddenGradient = a.hiddenGradient
        hiddenGradient.update(repeating: 0, count: n * h)
        for sequence in 0..<sequences {
            (hiddenGradient + batch.sequenceStarts[sequence] * h).update(from: a.clsGradient + sequence * h, count: h)
        }

        for index in stride(from: layers - 1, through: 0, by: -1) {
            let layer = p.layers[index], s = a.layers[index], input = a.hidden[index]
            // Output LayerNorm → residual sum.
            let sumGradient = a.sumGradient
            sumGradient.update(repeating: 0, count: n * h)
            layerNormBackward(inputGradient: sumGradient, weightGradient: g + layer.outputNormWeight, biasGradient: g + layer.outputNormBias,
                              outputGradient: hiddenGradient, input: s.outputSum, weight: p.pointer(layer.outputNormWeight),
                              mean: s.outputMean, rstd: s.outputRstd, rows: n, width: h)
            // The sum feeds the attention LayerNorm output (residual) and the output projection (after dropout).
            let normGradient = a.normGradient
            normGradient.update(from: sumGradient, count: n * h)
            if dropout.hidden > 0 { applyMask(sumGradient, s.outputMask, count: n * h) }
            precision.multiply(transposeA: true, transposeB: false, m: h, n: i, k: n, a: sumGradient, lda: h, b: s.intermediate, ldb: i,
                       beta: 1, c: g + layer.outputWeight, ldc: i)
            biasBackward(g + layer.outputBias, sumGradient, rows: n, columns: h)
            precision.multiply(transposeA: false, transposeB: false, m: n, n: i, k: h, a: sumGradient, lda: h, b: p.pointer(layer.outputWeight), ldb: i,
                       c: a.intermediateGradient, ldc: i)
            let intermediateGradient = a.intermediateGradient, activation = config.hiddenAct
            parallelParts(n * i) { part in
                activationBackward(intermediateGradient + part.lowerBound, input: s.intermediatePre + part.lowerBound, count: part.count, kind: activation)
            }
            precision.multiply(transposeA: true, transposeB: false, m: i, n: h, k: n, a: a.intermediateGradient, lda: i, b: s.attentionNorm, ldb: h,
                       beta: 1, c: g + layer.intermediateWeight, ldc: h)
            biasBackward(g + layer.intermediateBias, a.intermediateGradient, rows: n, columns: i)
            precision.multiply(transposeA: false, transposeB: false, m: n, n: h, k: i, a: a.intermediateGradient, lda: i, b: p.pointer(layer.intermediateWeight), ldb: h,
                       beta: 1, c: normGradient, ldc: h)

            // Attention LayerNorm → residual sum (input + attention projection).
            sumGradient.update(repeating: 0, count: n * h)
            layerNormBackward(inputGradient: sumGradient, weightGradient: g + layer.attentionNormWeight, biasGradient: g + layer.attentionNormBias,
                              outputGradient: normGradient, input: s.attentionSum, weight: p.pointer(layer.attentionNormWeight),
                              mean: s.attentionMean, rstd: s.attentionRstd, rows: n, width: h)
            // The residual path carries the gradient to this layer's input.
            hiddenGradient.update(from: sumGradient, count: n * h)
            if dropout.hidden > 0 { applyMask(sumGradient, s.attentionOutputMask, count: n * h) }
            precision.multiply(transposeA: true, transposeB: false, m: h, n: h, k: n, a: sumGradient, lda: h, b: s.context, ldb: h,
                       beta: 1, c: g + layer.attentionOutputWeight, ldc: h)
            biasBackward(g + layer.attentionOutputBias, sumGradient, rows: n, columns: h)
            precision.multiply(transposeA: false, transposeB: false, m: n, n: h, k: h, a: sumGradient, lda: h, b: p.pointer(layer.attentionOutputWeight), ldb: h,
                       c: a.contextGradient, ldc: h)
            attentionBackward(qkvGradient: a.qkvGradient, scratch: a.scoresGradient, contextGradient: a.contextGradient,
                              probabilities: s.probabilities, qkv: s.qkv, sequenceStarts: batch.sequenceStarts, heads: heads, hidden: h,
                              dropout: dropout.attention > 0 ? (UnsafePointer(s.attentionMask), UnsafePointer(s.droppedProbabilities)) : nil,
                              precision: precision)
            precision.multiply(transposeA: true, transposeB: false, m: 3 * h, n: h, k: n, a: a.qkvGradient, lda: 3 * h, b: input, ldb: h,
                       beta: 1, c: g + layer.qkvWeight, ldc: h)
            biasBackward(g + layer.qkvBias, a.qkvGradient, rows: n, columns: 3 * h)
            precision.multiply(transposeA: false, transposeB: false, m: n, n: h, k: 3 * h, a: a.qkvGradient, lda: 3 * h, b: p.pointer(layer.qkvWeight), ldb: h,
                       beta: 1, c: hiddenGradient, ldc: h)
        }

        // Embeddings: dropout, LayerNorm, then scatter into the three tables.
        if dropout.hidden > 0 { applyMask(hiddenGradient, a.embeddingMask, count: n * h) }
        let sumGradient = a.sumGradient
        sumGradient.update(repeating: 0, count: n * h)
        layerNormBackward(inputGradient: sumGradient, weightGradient: g + p.embeddingNormWeight, biasGradient: g + p.embeddingNormBias,
                          outputGradient: hiddenGradient, input: a.embeddingSum, weight: p.pointer(p.embeddingNormWeight),
                          mean: a.embeddingMean, rstd: a.embeddingRstd, rows: n, width: h)
        for sequence in 0..<sequences {
            let start = batch.sequenceStarts[sequence], end = batch.sequenceStarts[sequence + 1]
            for token in start..<end {
                let source = sumGradient + token * h
                let word = g + p.wordEmbeddings + Int(batch.ids[token]) * h
                let position = g + p.positionEmbeddings + (token - start) * h
                let type = g + p.tokenTypeEmbeddings
                for index in 0..<h {
                    word[index] += source[index]
                    position[index] += source[index]
                    type[index] += source[index]
                }
            }
        }
        touchedWords = Set(touchedWords).union(batch.ids.map(Int.init)).sorted()
    }

    /// Buffers for one training step, grown to the largest batch seen and reused.
    final class Activations {
        struct Layer {
            var qkv, context, attentionProjection, attentionSum, attentionNorm, attentionMean, attentionRstd: UnsafeMutablePointer<Float>
            var intermediatePre, intermediate, outputProjection, outputSum, outputMean, outputRstd: UnsafeMutablePointer<Float>
            var probabilities, droppedProbabilities, attentionMask, attentionOutputMask, outputMask: UnsafeMutablePointer<Float>
        }

        private var storage = UnsafeMutableBufferPointer<Float>.allocate(capacity: 0)
        private var shape: [Int] = []
        private(set) var layers: [Layer] = []
        private(set) var hidden: [UnsafeMutablePointer<Float>] = []
        private(set) var embeddingSum = UnsafeMutablePointer<Float>.allocate(capacity: 0)
        private(set) var embeddingMean = UnsafeMutablePointer<Float>.allocate(capacity: 0)
        private(set) var embeddingRstd = UnsafeMutablePointer<Float>.allocate(capacity: 0)
        private(set) var embeddingMask = UnsafeMutablePointer<Float>.allocate(capacity: 0)
        private(set) var clsHidden = UnsafeMutablePointer<Float>.allocate(capacity: 0)
        private(set) var pooled = UnsafeMutablePointer<Float>.allocate(capacity: 0)
        private(set) var pooledDropped = UnsafeMutablePointer<Float>.allocate(capacity: 0)
        private(set) var classifierMask = UnsafeMutablePointer<Float>.allocate(capacity: 0)
        private(set) var logits = UnsafeMutablePointer<Float>.allocate(capacity: 0)
        private(set) var probabilities = UnsafeMutablePointer<Float>.allocate(capacity: 0)
        private(set) var logitsGradient = UnsafeMutablePointer<Float>.allocate(capacity: 0)
        private(set) var pooledGradient = UnsafeMutablePointer<Float>.allocate(capacity: 0)
        private(set) var clsGradient = UnsafeMutablePointer<Float>.allocate(capacity: 0)
        private(set) var hiddenGradient = UnsafeMutablePointer<Float>.allocate(capacity: 0)
        private(set) var sumGradient = UnsafeMutablePointer<Float>.allocate(capacity: 0)
        private(set) var normGradient = UnsafeMutablePointer<Float>.allocate(capacity: 0)
        private(set) var intermediateGradient = UnsafeMutablePointer<Float>.allocate(capacity: 0)
        private(set) var contextGradient = UnsafeMutablePointer<Float>.allocate(capacity: 0)
        private(set) var qkvGradient = UnsafeMutablePointer<Float>.allocate(capacity: 0)
        private(set) var scoresGradient = UnsafeMutablePointer<Float>.allocate(capacity: 0)

        /// Lays out all buffers in one allocation, grown (never shrunk) when a batch needs more room.
        func reserve(tokens n: Int, hidden h: Int, intermediate i: Int, layers count: Int, attention area: Int, sequences b: Int, labels l: Int) {
            let fixed = [h, i, count, l], variable = [n, area, b]
            if shape.count == 7, Array(shape[3...]) == fixed, zip(shape[..<3], variable).allSatisfy({ $0 >= $1 }) { return }
            let sameModel = shape.count == 7 && Array(shape[3...]) == fixed
            let grown = sameModel ? zip(shape[..<3], variable).map { max($0, $1) } : variable
            let (tokens, attention, sequences) = (grown[0], grown[1], grown[2])
            storage.deallocate()
            var offset = 0
            func take(_ size: Int) -> Int { defer { offset += size }; return offset }
            let perLayer = (0..<count).map { _ in
                [take(tokens * 3 * h), take(tokens * h), take(tokens * h), take(tokens * h), take(tokens * h), take(tokens), take(tokens),
                 take(tokens * i), take(tokens * i), take(tokens * h), take(tokens * h), take(tokens), take(tokens),
                 take(attention), take(attention), take(attention), take(tokens * h), take(tokens * h)]
            }
            let hiddenOffsets = (0...count).map { _ in take(tokens * h) }
            let singles = [take(tokens * h), take(tokens), take(tokens), take(tokens * h), take(sequences * h), take(sequences * h), take(sequences * h),
                           take(sequences * h), take(sequences * l), take(sequences * l), take(sequences * l), take(sequences * h), take(sequences * h),
                           take(tokens * h), take(tokens * h), take(tokens * h), take(tokens * i), take(tokens * h), take(tokens * 3 * h),
                           take(attention)]
            storage = .allocate(capacity: offset)
            storage.initialize(repeating: 0)
            let base = storage.baseAddress!
            layers = perLayer.map { o in
                Layer(qkv: base + o[0], context: base + o[1], attentionProjection: base + o[2], attentionSum: base + o[3], attentionNorm: base + o[4],
                      attentionMean: base + o[5], attentionRstd: base + o[6], intermediatePre: base + o[7], intermediate: base + o[8],
                      outputProjection: base + o[9], outputSum: base + o[10], outputMean: base + o[11], outputRstd: base + o[12],
                      probabilities: base + o[13], droppedProbabilities: base + o[14], attentionMask: base + o[15],
                      attentionOutputMask: base + o[16], outputMask: base + o[17])
            }
            hidden = hiddenOffsets.map { base + $0 }
            embeddingSum = base + singles[0]; embeddingMean = base + singles[1]; embeddingRstd = base + singles[2]; embeddingMask = base + singles[3]
            clsHidden = base + singles[4]; pooled = base + singles[5]; pooledDropped = base + singles[6]; classifierMask = base + singles[7]
            logits = base + singles[8]; probabilities = base + singles[9]; logitsGradient = base + singles[10]
            pooledGradient = base + singles[11]; clsGradient = base + singles[12]
            hiddenGradient = base + singles[13]; sumGradient = base + singles[14]; normGradient = base + singles[15]
            intermediateGradient = base + singles[16]; contextGradient = base + singles[17]; qkvGradient = base + singles[18]
            scoresGradient = base + singles[19]
            shape = grown + fixed
        }

        deinit { storage.deallocate() }
    }
}
