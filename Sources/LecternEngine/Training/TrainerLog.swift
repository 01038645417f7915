/// One entry of the Trainer's `log_history`, typed while training runs; it becomes transformers'
/// JSON object (`fields`, in the Trainer's key order) only when written.
public enum TrainerLogEntry: Sendable {
    /// Every `logging_steps`: the mean loss since the last entry, the last step's gradient norm
    /// before clipping, and the rate that step used.
    case training(loss: Double, gradNorm: Double, learningRate: Double, epoch: Double, step: Int)
    /// Each evaluation: `eval_loss`, `eval_<metric>` and the runtime figures, in the Trainer's key order.
    case evaluation(results: [(key: String, value: Double)], epoch: Double, step: Int)
    /// At the end: `train_runtime`, `train_samples_per_second`, `train_steps_per_second`, `train_loss`.
    case summary(results: [(key: String, value: Double)], epoch: Double, step: Int)
    /// An entry of another shape, from a checkpoint another program wrote: kept as it was.
    case other([(key: String, value: Double)])

    public var step: Int? {
        switch self {
        case let .training(_, _, _, _, step), let .evaluation(_, _, step), let .summary(_, _, step): step
        case let .other(fields): fields.first { $0.key == "step" }.map { Int($0.value) }
        }
    }

    public var epoch: Double? {
        switch self {
        case let .training(_, _, _, epoch, _), let .evaluation(_, epoch, _), let .summary(_, epoch, _): epoch
        case let .other(fields): fields.first { $0.key == "epoch" }?.value
        }
    }

    /// An evaluation's result by key (`eval_loss`, `eval_accuracy`, `eval_runtime`, ...).
    public func result(_ key: String) -> Double? {
        guard case let .evaluation(results, _, _) = self else { return nil }
        return results.first { $0.key == key }?.value
    }

    /// The entry as transformers' JSON object holds it, keys in the Trainer's order.
    public var fields: [(key: String, value: Double)] {
        switch self {
        case let .training(loss, gradNorm, learningRate, epoch, step):
            return Self.canonical([("loss", loss), ("grad_norm", gradNorm), ("learning_rate", learningRate), ("epoch", epoch), ("step", Double(step))])
        case let .evaluation(results, epoch, step), let .summary(results, epoch, step):
            return Self.canonical(results + [("epoch", epoch), ("step", Double(step))])
        case let .other(fields):
            return Self.canonical(fields)
        }
    }

    /// Reads an entry of trainer_state.json's `log_history` back into its kind.
    init(fields: [(key: String, value: Double)]) {
        func value(_ key: String) -> Double? { fields.first { $0.key == key }?.value }
        let rest = fields.filter { $0.key != "epoch" && $0.key != "step" }
        switch (value("epoch"), value("step").map(Int.init)) {
        case let (epoch?, step?) where value("loss") != nil && value("grad_norm") != nil && value("learning_rate") != nil && fields.count == 5:
            self = .training(loss: value("loss")!, gradNorm: value("grad_norm")!, learningRate: value("learning_rate")!, epoch: epoch, step: step)
        case let (epoch?, step?) where value("eval_loss") != nil:
            self = .evaluation(results: Self.canonical(rest), epoch: epoch, step: step)
        case let (epoch?, step?) where value("train_runtime") != nil:
            self = .summary(results: Self.canonical(rest), epoch: epoch, step: step)
        default:
            self = .other(fields)
        }
    }

    /// The Trainer's key order within a log entry (JSON objects do not keep it).
    static func canonical(_ entry: [(key: String, value: Double)]) -> [(key: String, value: Double)] {
        entry.sorted { (order($0.key), $0.key) < (order($1.key), $1.key) }
    }

    private static func order(_ key: String) -> Int {
        let order = ["loss", "grad_norm", "learning_rate", "eval_loss", "train_runtime", "train_samples_per_second", "train_steps_per_second",
                     "train_loss", "eval_runtime", "eval_samples_per_second", "eval_steps_per_second", "epoch", "step"]
        if let index = order.firstIndex(of: key) { return index * 2 }
        return key.hasPrefix("eval_") ? 7 : 21
    }
}
