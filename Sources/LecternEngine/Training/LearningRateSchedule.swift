import Foundation

/// The learning rate at each optimizer step, as transformers' `get_scheduler` gives it for
/// `lr_scheduler_type`: the peak rate times a factor of the step (`LambdaLR`). The factors are
/// transformers' own (optimization.py), with its keyword arguments (`lr_scheduler_kwargs`) as
/// `Options`. `reduce_lr_on_plateau` is not a function of the step: see `PlateauSchedule`.
public struct LearningRateSchedule: Sendable, Equatable {
    /// transformers' `SchedulerType` names that Lectern runs.
    public enum Kind: String, Sendable, CaseIterable {
        case linear, cosine
        case cosineWithRestarts = "cosine_with_restarts"
        case polynomial, constant
        case constantWithWarmup = "constant_with_warmup"
        case inverseSqrt = "inverse_sqrt"
        case reduceLROnPlateau = "reduce_lr_on_plateau"
        case cosineWithMinLR = "cosine_with_min_lr"
        case warmupStableDecay = "warmup_stable_decay"

        /// The keyword arguments `get_scheduler` passes on for this kind (others are a TypeError there).
        public var keywords: [String] {
            switch self {
            case .linear, .constant, .constantWithWarmup: []
            case .cosine: ["num_cycles"]
            case .cosineWithRestarts: ["num_cycles"]
            case .polynomial: ["lr_end", "power"]
            case .inverseSqrt: ["timescale"]
            case .reduceLROnPlateau: ["mode", "factor", "patience", "threshold", "threshold_mode", "cooldown", "min_lr", "eps"]
            case .cosineWithMinLR: ["num_cycles", "min_lr", "min_lr_rate"]
            case .warmupStableDecay: ["num_decay_steps", "num_stable_steps", "warmup_type", "decay_type", "min_lr_ratio", "num_cycles"]
            }
        }
    }

    /// The shape of the warm-up and decay phases of `warmup_stable_decay`.
    public enum Ramp: String, Sendable, CaseIterable {
        case linear, cosine
        case oneMinusSqrt = "1-sqrt"
    }

    /// `lr_scheduler_kwargs`, with transformers' defaults; nil where the default depends on the kind.
    public struct Options: Sendable, Equatable {
        public var numCycles: Double?
        public var lrEnd = 1e-7
        public var power = 1.0
        public var timescale: Int?
        public var minLR: Double?
        public var minLRRate: Double?
        public var numDecaySteps: Int?
        public var numStableSteps: Int?
        public var warmupType = Ramp.linear
        public var decayType = Ramp.cosine
        public var minLRRatio = 0.0

        public init() {}
    }

    public var kind: Kind
    public var peak: Float
    public var warmupSteps: Int
    public var totalSteps: Int
    public var options: Options

    public init(_ kind: Kind = .linear, peak: Float, warmupSteps: Int, totalSteps: Int, options: Options = Options()) {
        self.kind = kind
        self.peak = peak
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
        self.options = options
    }

    /// The rate for the optimizer step with 0-based index `step`.
    public func rate(at step: Int) -> Float {
        // The Trainer's default, in float as Lectern has always computed it (the shipped lessons' logs).
        if kind == .linear {
            if step < warmupSteps { return peak * Float(step) / Float(max(1, warmupSteps)) }
            return peak * max(0, Float(totalSteps - step) / Float(max(1, totalSteps - warmupSteps)))
        }
        return Float(Double(peak) * factor(at: step))
    }

    /// `LambdaLR`'s factor for `step`, in double as Python computes it.
    public func factor(at step: Int) -> Double {
        let current = Double(step), warmup = Double(warmupSteps), total = Double(totalSteps)
        let warming = step < warmupSteps && kind != .warmupStableDecay && kind != .constant && kind != .reduceLROnPlateau
        if warming { return current / max(1, warmup) }
        let progress = (current - warmup) / max(1, total - warmup)
        switch kind {
        case .linear:
            return max(0, (total - current) / max(1, total - warmup))
        case .constant, .constantWithWarmup, .reduceLROnPlateau:
            return 1
        case .cosine:
            return max(0, 0.5 * (1 + cos(.pi * (options.numCycles ?? 0.5) * 2 * progress)))
        case .cosineWithRestarts:
            guard progress < 1 else { return 0 }
            return max(0, 0.5 * (1 + cos(.pi * ((options.numCycles ?? 1) * progress).truncatingRemainder(dividingBy: 1))))
        case .polynomial:
            let initial = Double(peak)
            if step > totalSteps { return options.lrEnd / initial }
            let remaining = 1 - (current - warmup) / (total - warmup)
            return ((initial - options.lrEnd) * pow(remaining, options.power) + options.lrEnd) / initial
        case .inverseSqrt:
            let timescale = Double(options.timescale ?? (warmupSteps > 0 ? warmupSteps : 10_000))
            return 1 / ((current + timescale - warmup) / timescale).squareRoot()
        case .cosineWithMinLR:
            let floor = options.minLRRate ?? (options.minLR ?? 0) / Double(peak)
            return max(0, 0.5 * (1 + cos(.pi * (options.numCycles ?? 0.5) * 2 * progress)) * (1 - floor) + floor)
        case .warmupStableDecay:
            return stableDecayFactor(at: step)
        }
    }

    /// `warmup_stable_decay`: warm up from `min_lr_ratio`, hold, decay back to it.
    private func stableDecayFactor(at step: Int) -> Double {
        let decaySteps = options.numDecaySteps ?? 0
        let stableSteps = options.numStableSteps ?? (totalSteps - warmupSteps - decaySteps)
        let floor = options.minLRRatio
        func ramp(_ shape: Ramp, _ progress: Double, rising: Bool) -> Double {
            switch shape {
            case .linear: return rising ? progress : 1 - progress
            case .cosine: return rising ? 0.5 * (1 - cos(.pi * progress)) : 0.5 * (1 + cos(.pi * (options.numCycles ?? 0.5) * 2 * progress))
            case .oneMinusSqrt: return rising ? 1 - (1 - progress).squareRoot() : 1 - progress.squareRoot()
            }
        }
        if step < warmupSteps {
            return max(0, ramp(options.warmupType, Double(step) / Double(max(1, warmupSteps)), rising: true) * (1 - floor) + floor)
        }
        if step < warmupSteps + stableSteps { return 1 }
        if step < warmupSteps + stableSteps + decaySteps {
            let progress = Double(step - warmupSteps - stableSteps) / Double(max(1, decaySteps))
            return max(0, ramp(options.decayType, progress, rising: false) * (1 - floor) + floor)
        }
        return floor
    }
}
