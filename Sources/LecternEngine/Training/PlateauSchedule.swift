/// `reduce_lr_on_plateau`: torch's `ReduceLROnPlateau` as the Trainer drives it, stepped after each
/// evaluation with `metric_for_best_model`; the rate holds between evaluations. Its state is a
/// function of the evaluations so far, so a resumed run replays them from the log.
public struct PlateauSchedule: Sendable, Equatable {
    public enum Mode: String, Sendable, CaseIterable { case min, max }
    public enum ThresholdMode: String, Sendable, CaseIterable { case rel, abs }

    /// torch's keyword arguments, with its defaults (the Trainer passes `lr_scheduler_kwargs` on as they are).
    public struct Options: Sendable, Equatable {
        public var mode = Mode.min
        public var factor = 0.1
        public var patience = 10
        public var threshold = 1e-4
        public var thresholdMode = ThresholdMode.rel
        public var cooldown = 0
        public var minLR = 0.0
        public var eps = 1e-8

        public init() {}
    }

    public let options: Options
    /// The rate the next steps use.
    public private(set) var rate: Double
    private var best: Double
    private var badEvaluations = 0
    private var cooldownLeft = 0

    public init(peak: Float, options: Options) {
        self.options = options
        rate = Double(peak)
        best = options.mode == .min ? .infinity : -.infinity
    }

    /// One evaluation's metric: the rate drops by `factor` after more than `patience` evaluations without improvement.
    public mutating func step(metric: Double) {
        if improves(metric) {
            best = metric
            badEvaluations = 0
        } else {
            badEvaluations += 1
        }
        if cooldownLeft > 0 {
            cooldownLeft -= 1
            badEvaluations = 0
        }
        if badEvaluations > options.patience {
            let reduced = Swift.max(rate * options.factor, options.minLR)
            if rate - reduced > options.eps { rate = reduced }
            cooldownLeft = options.cooldown
            badEvaluations = 0
        }
    }

    private func improves(_ metric: Double) -> Bool {
        switch (options.mode, options.thresholdMode) {
        case (.min, .rel): return metric < best * (1 - options.threshold)
        case (.min, .abs): return metric < best - options.threshold
        case (.max, .rel): return metric > best * (options.threshold + 1)
        case (.max, .abs): return metric > best + options.threshold
        }
    }
}
