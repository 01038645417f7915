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

    public init(parameters: BertParameters, weightDecay: Float) {
        self.weightDecay = weightDecay
        firstMoment = .allocate(capacity: parameters.count)
        firstMoment.initialize(repeating: 0)
        secondMoment = .allocate(capacity: parameters.count)
        secondMoment.initialize(repeating: 0)
        decayRanges = parameters.tensors.map { ($0.offset..<($0.offset + $0.count), !$0.isDecayExempt) }
    }

    deinit {
        firstMoment.deallocate()
        secondMoment.deallocate()
    }

    /// Restores the state saved in a checkpoint (`resume_from_checkpoint`).
    public func restore(step: Int, first: UnsafeBufferPointer<Float>, second: UnsafeBufferPointer<Float>) {
        self.step = step
        _ = firstMoment.update(fromContentsOf: first)
        _ = secondMoment.update(fromContentsOf: second)
    }

    /// One update of every parameter with learning rate `rate`.
    public func update(_ parameters: UnsafeMutableBufferPointer<Float>, gradients: UnsafeBufferPointer<Float>, rate: Float) {
        step += 1
        let correction1 = 1 - Float(Foundation.pow(Double(beta1), Double(step)))
        let correction2Root = (1 - Float(Foundation.pow(Double(beta2), Double(step)))).squareRoot()
        let stepSize = rate / correction1
        let p = parameters.baseAddress!, g = gradients.baseAddress!, m = firstMoment.baseAddress!, v = secondMoment.baseAddress!
        let (beta1, beta2, epsilon, weightDecay) = (self.beta1, self.beta2, self.epsilon, self.weightDecay)
        let decayRanges = self.decayRanges
        // The two cores take half of the parameters each; every element is updated by the same
        // operations wherever the halves meet, so the result is the same as on one core.
        parallelParts(parameters.count) { part in
            for (tensor, decays) in decayRanges {
                let range = tensor.clamped(to: part)
                guard !range.isEmpty else { continue }
                let shrink = decays ? 1 - rate * weightDecay : 1
                // 16 lanes at a time, then the tail; the same operations in the same order either way.
                var index = range.lowerBound
                while index + 16 <= range.upperBound {
                    let pv = UnsafeMutableRawPointer(p + index), gv = UnsafeRawPointer(g + index)
                    let mv = UnsafeMutableRawPointer(m + index), vv = UnsafeMutableRawPointer(v + index)
                    let gradient = gv.loadUnaligned(as: Float16x.self)
                    let first = beta1 * mv.loadUnaligned(as: Float16x.self) + (1 - beta1) * gradient
                    let second = beta2 * vv.loadUnaligned(as: Float16x.self) + (1 - beta2) * gradient * gradient
                    var parameter = pv.loadUnaligned(as: Float16x.self) * shrink
                    parameter -= stepSize * first / (second.squareRoot() / correction2Root + epsilon)
                    mv.storeBytes(of: first, as: Float16x.self)
                    vv.storeBytes(of: second, as: Float16x.self)
                    pv.storeBytes(of: parameter, as: Float16x.self)
                    index += 16
                }
                while index < range.upperBound {
                    p[index] *= shrink
                    m[index] = beta1 * m[index] + (1 - beta1) * g[index]
                    v[index] = beta2 * v[index] + (1 - beta2) * g[index] * g[index]
                    p[index] -= stepSize * m[index] / (v[index].squareRoot() / correction2Root + epsilon)
                    index += 1
                }
            }
        }
    }
}

/// The Trainer's default schedule (`get_linear_schedule_with_warmup`): linear warm-up from 0 over
/// `warmupSteps`, then linear decay to 0 at `totalSteps`.
public struct LinearSchedule: Sendable, Equatable {
    public var peak: Float
    public var warmupSteps: Int
    public var totalSteps: Int

    public init(peak: Float, warmupSteps: Int, totalSteps: Int) {
        self.peak = peak
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
    }

    /// The rate for the optimizer step with 0-based index `step`.
    public func rate(at step: Int) -> Float {
        if step < warmupSteps { return peak * Float(step) / Float(max(1, warmupSteps)) }
        return peak * max(0, Float(totalSteps - step) / Float(max(1, totalSteps - warmupSteps)))
    }
}

/// The L2 norm of all gradients, and clipping to `maxNorm` as `torch.nn.utils.clip_grad_norm_`
/// (scale by maxNorm / (norm + 1e-6) when that is below 1). Returns the norm before clipping.
public func clipGradientNorm(_ gradients: UnsafeMutableBufferPointer<Float>, maxNorm: Float?) -> Float {
    // Squares summed in 16 Float lanes per block of 4,096 values, blocks summed in Double in block
    // order: the blocks are shared out between the cores, the final sum is not.
    let blockSize = 4096
    let blockCount = (gradients.count + blockSize - 1) / blockSize
    let raw = UnsafeRawPointer(gradients.baseAddress!)
    let blocks = UnsafeMutableBufferPointer<Double>.allocate(capacity: blockCount)
    defer { blocks.deallocate() }
    parallelParts(blockCount, minimumPart: 16) { part in
        for block in part {
            let start = block * blockSize, end = min(start + blockSize, gradients.count)
            var lanes = Float16x()
            var index = start
            while index + 16 <= end {
                let values = raw.loadUnaligned(fromByteOffset: index * 4, as: Float16x.self)
                lanes += values * values
                index += 16
            }
            var sum = Double(lanes.sum())
            while index < end { sum += Double(gradients[index]) * Double(gradients[index]); index += 1 }
            blocks[block] = sum
        }
    }
    var sum: Double = 0
    for block in blocks { sum += block }
    let norm = Float(sum.squareRoot())
    if let maxNorm {
        let coefficient = maxNorm / (norm + 1e-6)
        if coefficient < 1 {
            let values = gradients.baseAddress!
            parallelParts(gradients.count) { part in
                for index in part { values[index] *= coefficient }
            }
        }
    }
    return norm
}
