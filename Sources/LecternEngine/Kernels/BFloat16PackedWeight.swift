import CBFloat16

/// A linear layer's weight `[outFeatures, inFeatures]` packed once for bfloat16 products, as the
/// right-hand side of `input · weightᵀ`: what `BFloat16Product` would otherwise pack on every call.
/// For a model that only reads its weights (`SequenceClassifier`); a trained weight must be packed again.
final class BFloat16PackedWeight: @unchecked Sendable {
    let outFeatures: Int, inFeatures: Int
    /// The packed steps of k (`LECTERN_BF16_KC` values each), one after the other.
    let words: UnsafeMutablePointer<UInt32>
    let stepOffsets: [Int]

    init(_ weight: UnsafePointer<Float>, outFeatures: Int, inFeatures: Int) {
        self.outFeatures = outFeatures
        self.inFeatures = inFeatures
        let step = Int(LECTERN_BF16_KC), panel = Int(LECTERN_BF16_NR)
        let starts = Array(stride(from: 0, to: inFeatures, by: step))
        var offsets: [Int] = [], total = 0
        for k0 in starts {
            offsets.append(total)
            total += lectern_bf16_packed_b_words(min(step, inFeatures - k0), outFeatures)
        }
        stepOffsets = offsets
        words = .allocate(capacity: max(total, 1))
        let panels = (outFeatures + panel - 1) / panel
        // One task per (step, panel); each writes only its own panel.
        let words = self.words
        Parallel.perform(starts.count * panels) { task in
            let (stepIndex, panelIndex) = task.quotientAndRemainder(dividingBy: panels)
            let k0 = starts[stepIndex], j0 = panelIndex * panel
            lectern_bf16_pack_b(weight, inFeatures, true, k0, min(step, inFeatures - k0), j0, min(outFeatures, j0 + panel), outFeatures,
                                words + offsets[stepIndex])
        }
    }

    deinit { words.deallocate() }
}
