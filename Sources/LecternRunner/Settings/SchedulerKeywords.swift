import LecternEngine
import LecternNotebook

/// `lr_scheduler_kwargs` read for the schedule `lr_scheduler_type` names: the keywords transformers'
/// `get_scheduler` passes to that schedule, each typed, or what is wrong with them.
struct SchedulerKeywords {
    var options = LearningRateSchedule.Options()
    var plateau = PlateauSchedule.Options()
    var problems: [String] = []

    init(_ entries: [(name: String, text: String)], kind: LearningRateSchedule.Kind) {
        for (name, text) in entries {
            guard kind.keywords.contains(name) else {
                problems.append("`lr_scheduler_kwargs` gives `\(name)`, which `\(kind.rawValue)` does not take ("
                                + (kind.keywords.isEmpty ? "it takes none" : "it takes " + kind.keywords.map { "`\($0)`" }.joined(separator: ", ")) + ").")
                continue
            }
            read(name, text, kind: kind)
        }
        let given = Set(entries.map(\.name))
        if kind == .cosineWithMinLR, given.contains("min_lr") == given.contains("min_lr_rate") {
            problems.append("`cosine_with_min_lr` needs exactly one of `min_lr` and `min_lr_rate` in `lr_scheduler_kwargs`, as transformers requires.")
        }
        if kind == .warmupStableDecay, !given.contains("num_decay_steps") {
            problems.append("`warmup_stable_decay` needs `num_decay_steps` in `lr_scheduler_kwargs`.")
        }
    }

    private mutating func read(_ name: String, _ text: String, kind: LearningRateSchedule.Kind) {
        func number() -> Double? {
            guard let value = Double(text), value.isFinite else { problems.append("`lr_scheduler_kwargs.\(name)` must be a number, but it is `\(text)`."); return nil }
            return value
        }
        func whole() -> Int? {
            guard let value = Int(text), value >= 0 else { problems.append("`lr_scheduler_kwargs.\(name)` must be a whole number, but it is `\(text)`."); return nil }
            return value
        }
        func choice<Choice: RawRepresentable & CaseIterable>(_: Choice.Type) -> Choice? where Choice.RawValue == String {
            guard let value = Choice(rawValue: text) else {
                problems.append("`lr_scheduler_kwargs.\(name)` must be one of " + Choice.allCases.map { "`\($0.rawValue)`" }.joined(separator: ", ") + ", but it is `\(text)`.")
                return nil
            }
            return value
        }
        if kind == .reduceLROnPlateau {
            switch name {
            case "mode": choice(PlateauSchedule.Mode.self).map { plateau.mode = $0 }
            case "factor": number().map { plateau.factor = $0 }
            case "patience": whole().map { plateau.patience = $0 }
            case "threshold": number().map { plateau.threshold = $0 }
            case "threshold_mode": choice(PlateauSchedule.ThresholdMode.self).map { plateau.thresholdMode = $0 }
            case "cooldown": whole().map { plateau.cooldown = $0 }
            case "min_lr": number().map { plateau.minLR = $0 }
            default: number().map { plateau.eps = $0 }
            }
            return
        }
        switch name {
        case "num_cycles": number().map { options.numCycles = $0 }
        case "lr_end": number().map { options.lrEnd = $0 }
        case "power": number().map { options.power = $0 }
        case "timescale": whole().map { options.timescale = $0 }
        case "min_lr": number().map { options.minLR = $0 }
        case "min_lr_rate": number().map { options.minLRRate = $0 }
        case "num_decay_steps": whole().map { options.numDecaySteps = $0 }
        case "num_stable_steps": whole().map { options.numStableSteps = $0 }
        case "warmup_type": choice(LearningRateSchedule.Ramp.self).map { options.warmupType = $0 }
        case "decay_type": choice(LearningRateSchedule.Ramp.self).map { options.decayType = $0 }
        default: number().map { options.minLRRatio = $0 }
        }
    }
}
