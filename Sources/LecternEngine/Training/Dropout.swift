/// Dropout masks from a seeded stream: each value is kept with probability 1 − p and scaled by
/// 1 / (1 − p), as `torch.nn.Dropout` in training mode. The masks are stored as multipliers
/// (0 or 1 / (1 − p)) so the backward pass applies the same ones.
struct DropoutGenerator {
    private var stream: SplitMix64

    init(seed: UInt64) { stream = SplitMix64(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ 0x632B_E59B_D9B4_E019) }

    /// Fills `mask` with 0 or 1/(1−p); two 32-bit draws per 64-bit output. The cores fill a part
    /// each, every part starting its stream where a single pass would be at that index, so the
    /// mask is the same however it is shared out.
    mutating func fill(_ mask: UnsafeMutablePointer<Float>, count: Int, probability: Float) {
        let keep = 1 / (1 - probability)
        let threshold = UInt32(min(Double(probability) * 4_294_967_296.0, 4_294_967_295.0))
        let start = stream
        parallelParts(count, minimumPart: 1 << 15) { part in
            var stream = start
            stream.skip(part.lowerBound / 2)  // parts start at multiples of 16, so on a whole draw
            var index = part.lowerBound
            while index < part.upperBound {
                let bits = stream.nextUInt64()
                mask[index] = UInt32(truncatingIfNeeded: bits) >= threshold ? keep : 0
                if index + 1 < part.upperBound { mask[index + 1] = UInt32(truncatingIfNeeded: bits >> 32) >= threshold ? keep : 0 }
                index += 2
            }
        }
        stream.skip((count + 1) / 2)
    }
}

/// out = x ⊙ mask (forward), or gradient ⊙ mask (backward), in place.
@inline(__always)
func applyMask(_ values: UnsafeMutablePointer<Float>, _ mask: UnsafePointer<Float>, count: Int) {
    for index in 0..<count { values[index] *= mask[index] }
}
