/// A dropout mask: one byte per value, 1 where the value is kept and 0 where it is dropped, and the
/// scale of the kept values, 1 / (1 − p). A byte instead of a float multiplier: a training step
/// keeps every layer's masks for the backward pass, and they are a quarter of the size.
struct DropoutMask {
    let kept: UnsafeMutablePointer<UInt8>
    let scale: Float

    init(_ kept: UnsafeMutablePointer<UInt8>, probability: Float) {
        self.kept = kept
        scale = 1 / (1 - probability)
    }

    private init(kept: UnsafeMutablePointer<UInt8>, scale: Float) {
        self.kept = kept
        self.scale = scale
    }

    /// The multiplier of value `index`: 0 or 1 / (1 − p).
    @inline(__always)
    subscript(index: Int) -> Float { kept[index] != 0 ? scale : 0 }

    /// The mask from value `offset` on.
    func advanced(by offset: Int) -> DropoutMask { DropoutMask(kept: kept + offset, scale: scale) }
}

/// Dropout masks from a seeded stream: each value is kept with probability 1 − p and scaled by
/// 1 / (1 − p), as `torch.nn.Dropout` in training mode. The backward pass applies the same masks.
struct DropoutGenerator {
    private var stream: SplitMix64

    init(seed: UInt64) { stream = SplitMix64(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ 0x632B_E59B_D9B4_E019) }

    /// Fills `count` values of a mask of probability p; two 32-bit draws per 64-bit output. The cores
    /// fill a part each, every part starting its stream where a single pass would be at that index,
    /// so the mask is the same however it is shared out (`VectorKernels.dropoutMask` computes the
    /// draws eight at a time).
    @discardableResult
    mutating func fill(_ kept: UnsafeMutablePointer<UInt8>, count: Int, probability: Float) -> DropoutMask {
        let threshold = UInt32(min(Double(probability) * 4_294_967_296.0, 4_294_967_295.0))
        let start = stream
        parallelParts(count, minimumPart: 1 << 15) { part in
            var stream = start
            stream.skip(part.lowerBound / 2)  // parts start at multiples of 16, so on a whole draw
            VectorKernels.dropoutMask(stream.state, part.count, threshold, kept + part.lowerBound)
        }
        stream.skip((count + 1) / 2)
        return DropoutMask(kept, probability: probability)
    }
}

/// out = x ⊙ mask (forward), or gradient ⊙ mask (backward), in place.
@inline(__always)
func applyMask(_ values: UnsafeMutablePointer<Float>, _ mask: DropoutMask, count: Int) {
    for index in 0..<count { values[index] *= mask[index] }
}

/// A model's dropout probabilities in training mode (`hidden`, `attention`, `classifier`); zero turns one off.
public struct DropoutRates: Sendable, Equatable {
    public var hidden: Float
    public var attention: Float
    public var classifier: Float

    public init(hidden: Float, attention: Float, classifier: Float) {
        self.hidden = hidden
        self.attention = attention
        self.classifier = classifier
    }

    /// No dropout: evaluation and prediction.
    public static let off = DropoutRates(hidden: 0, attention: 0, classifier: 0)

    /// The probabilities config.json sets (`classifier_dropout` falls back to `hidden_dropout_prob`).
    public init(config: ModelConfig) {
        self.init(hidden: config.hiddenDropoutProb, attention: config.attentionProbsDropoutProb,
                  classifier: config.classifierDropout ?? config.hiddenDropoutProb)
    }

    /// The masks each encoder layer applies: DistilBERT has none after the attention's output projection.
    func layer(_ family: ModelFamily) -> EncoderLayerDropout {
        EncoderLayerDropout(attention: attention > 0 ? attention : nil,
                            attentionOutput: hidden > 0 && family.dropsAttentionOutput ? hidden : nil,
                            output: hidden > 0 ? hidden : nil)
    }

    /// The head's masks: on its input where the family has one, and on the dense layer's output.
    func head(_ family: ModelFamily) -> ClassificationHead.Dropout {
        ClassificationHead.Dropout(input: family.dropsHeadInput && classifier > 0 ? classifier : nil, dense: classifier > 0 ? classifier : nil)
    }
}
