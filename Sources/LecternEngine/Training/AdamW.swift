import CKernels
import Foundation

/// AdamW as `torch.optim.AdamW` computes it: decoupled weight decay (p ← p·(1 − lr·λ)), moment
/// estimates, bias correction, and the update p ← p − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε).
/// Tensors the Trainer exempts from weight decay (biases, LayerNorm weights) get λ = 0.
public final class AdamW: @unchecked Sendable {
    public var beta1: Float = 0.9
    public var beta2: Float = 0.999
    public var epsilon: Float = 1e-8
    public var weightDecay: Float
    /// Optimizer steps taken so far.
    public private(set) var step = 0
    /// First and second moments, laid out as the parameters.
    public let firstMoment: UnsafeMutableBufferPointer<Float>
    public let secondMoment: UnsafeMutableBufferPointer<Float>
    private let decayRanges: [(range: Range<Int>, decays: Bool)]

    public convenience init(parameters: ModelParameters, weightDecay: Float) {
        self.init(count: parameters.count, weightDecay: weightDecay,
                  decayRanges: parameters.tensors.map { ($0.offset..<($0.offset + $0.count), !$0.isDecayExempt) })
    }

    /// AdamW over a flat buffer of `count` values, all of them decayed (torch's optimizer on one tensor).
    public convenience init(count: Int, weightDecay: Float) {
        self.init(count: count, weightDecay: weightDecay, decayRanges: [(0..<count, true)])
    }

    private init(count: Int, weightDecay: Float, decayRanges: [(range: Range<Int>, decays: Bool)]) {
        self.weightDecay = weightDecay
        firstMoment = ZeroedFloats.allocate(count)
        secondMoment = ZeroedFloats.allocate(count)
        self.decayRanges = decayRanges
    }

    deinit {
        ZeroedFloats.free(firstMoment)
        ZeroedFloats.free(secondMoment)
    }

    /// Restores the state saved in a checkpoint (`resume_from_checkpoint`).
    public func restore(step: Int, first: UnsafeBufferPointer<Float>, second: UnsafeBufferPointer<Float>) {
        self.step = step
        _ = firstMoment.update(fromContentsOf: first)
        _ = secondMoment.update(fromContentsOf: second)
        liveRows = []
        momentsWritten = true
    }

    /// One update of every parameter with learning rate `rate`, reading each gradient times
    /// `gradientScale` (the clipping factor, so that clipping needs no pass of its own).
    ///
    /// With `sparseRows`, a row of the table that has had no gradient in any step so far still has
    /// both moments at zero, so its full update reduces to the weight decay p ← p·(1 − lr·λ): only
    /// that is computed there, reading and writing the parameters alone. The result is the same.
    public func update(_ parameters: UnsafeMutableBufferPointer<Float>, gradients: UnsafeBufferPointer<Float>, rate: Float,
                       gradientScale: Float = 1, sparseRows: SparseRows? = nil) {
        step += 1
        let correction1 = 1 - Float(Foundation.pow(Double(beta1), Double(step)))
        let correction2Root = (1 - Float(Foundation.pow(Double(beta2), Double(step)))).squareRoot()
        let stepSize = rate / correction1
        let p = parameters.baseAddress!, g = gradients.baseAddress!, m = firstMoment.baseAddress!, v = secondMoment.baseAddress!
        let (beta1, beta2, epsilon, weightDecay) = (self.beta1, self.beta2, self.epsilon, self.weightDecay)
        // Moments never written are written before the kernel reads them (`momentsWritten`): at the first
        // update every range the kernel runs over, later the rows that have just become live.
        let fresh = !momentsWritten
        func writeZeros(_ range: Range<Int>) {
            (m + range.lowerBound).update(repeating: 0, count: range.count)
            (v + range.lowerBound).update(repeating: 0, count: range.count)
        }
        var full: [(range: Range<Int>, shrink: Float)] = [], decayOnly: [(range: Range<Int>, shrink: Float)] = []
        for (tensor, decays) in decayRanges {
            let shrink = decays ? 1 - rate * weightDecay : 1
            guard let sparseRows, sparseRows.table == tensor else { full.append((tensor, shrink)); continue }
            for row in markLive(sparseRows) where !fresh { writeZeros(sparseRows.range(ofRow: row)) }
            var row = 0
            while row < liveRows.count {
                var end = row + 1
                while end < liveRows.count, liveRows[end] == liveRows[row] { end += 1 }
                let range = sparseRows.range(ofRow: row).lowerBound..<sparseRows.range(ofRow: end - 1).upperBound
                if liveRows[row] { full.append((range, shrink)) } else if shrink != 1 { decayOnly.append((range, shrink)) }
                row = end
            }
        }
        // Each list is shared out between the cores by length; every element is updated by the same
        // operations wherever the parts meet, so the result is the same as on one core.
        let kernel = VectorKernels.adamw
        parallelParts(of: full.map(\.range)) { segment, range in
            var constants = lectern_adamw_step(beta1: beta1, one_minus_beta1: 1 - beta1, beta2: beta2, one_minus_beta2: 1 - beta2, epsilon: epsilon,
                                               shrink: full[segment].shrink, step_size: stepSize, correction2_root: correction2Root,
                                               gradient_scale: gradientScale)
            if fresh { writeZeros(range) }
            kernel(p + range.lowerBound, g + range.lowerBound, m + range.lowerBound, v + range.lowerBound, range.count, &constants)
        }
        momentsWritten = true
        parallelParts(of: decayOnly.map(\.range)) { segment, range in
            let shrink = decayOnly[segment].shrink
            var index = range.lowerBound
            while index + 16 <= range.upperBound {
                let pv = UnsafeMutableRawPointer(p + index)
                pv.storeBytes(of: pv.loadUnaligned(as: Float16x.self) * shrink, as: Float16x.self)
                index += 16
            }
            while index < range.upperBound { p[index] *= shrink; index += 1 }
        }
    }

    /// The Trainer's step after the backward pass: measures the model's gradients, clips them to
    /// `maxGradNorm` and applies them, skipping the word-embedding rows no batch touched.
    /// Returns the norm before clipping (the logged `grad_norm`).
    public func apply(_ model: TrainingModel, rate: Float, maxGradNorm: Float?) -> Float {
        let sparseRows = model.sparseRows
        let norm = gradientNorm(UnsafeBufferPointer(model.gradients), sparseRows: sparseRows)
        update(model.parameters.storage, gradients: UnsafeBufferPointer(model.gradients), rate: rate,
               gradientScale: clippingScale(norm: norm, maxNorm: maxGradNorm), sparseRows: sparseRows)
        return norm
    }

    /// Rows of the sparse table that have had a gradient: none in a fresh optimizer; those of its
    /// checkpoint in a restored one (found from the moments the first time); then kept up to date.
    private var liveRows: [Bool] = []

    /// Whether a step or a restore has written the moments. Until then they are untouched pages
    /// (`ZeroedFloats`), and the first update writes zeros over its ranges before the kernel reads them, as
    /// does every later step over rows that become live: the kernel reads a moment before writing it,
    /// and on an untouched page that read maps the shared zero page, so the write after it must copy
    /// that page and flush the other cores' address translations (an interrupt to each, costly in a
    /// virtual machine). Written first, the page is made in one fault.
    private var momentsWritten = false

    /// Marks the batch's rows live; returns those that were not.
    private func markLive(_ sparseRows: SparseRows) -> [Int] {
        if liveRows.count != sparseRows.rowCount {
            let m = firstMoment.baseAddress!, v = secondMoment.baseAddress!
            liveRows = (0..<sparseRows.rowCount).map { row in
                momentsWritten && sparseRows.range(ofRow: row).contains { m[$0] != 0 || v[$0] != 0 }
            }
        }
        var newlyLive: [Int] = []
        for row in sparseRows.rows where !liveRows[row] {
            liveRows[row] = true
            newlyLive.append(row)
        }
        return newlyLive
    }
}
