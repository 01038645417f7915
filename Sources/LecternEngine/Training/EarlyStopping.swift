/// transformers' `EarlyStoppingCallback`: after each evaluation, the metric that picks the best
/// checkpoint is compared with the best so far (before this evaluation counts); an evaluation that
/// is not better by more than `threshold` adds one to a count that any better one resets, and
/// training stops when the count reaches `patience`. Its state is a function of the evaluations in
/// the log, so a resumed run replays them.
struct EarlyStopping: Sendable {
    let patience: Int
    let threshold: Double
    let prefersGreater: Bool
    private(set) var evaluationsWithoutImprovement = 0

    init(patience: Int, threshold: Double, prefersGreater: Bool) {
        self.patience = patience
        self.threshold = threshold
        self.prefersGreater = prefersGreater
    }

    /// Counts one evaluation's `metric` against `best` (nil before the first); returns whether to stop.
    mutating func observe(_ metric: Double, best: Double?) -> Bool {
        if let best, !((prefersGreater ? metric > best : metric < best) && abs(metric - best) > threshold) {
            evaluationsWithoutImprovement += 1
        } else {
            evaluationsWithoutImprovement = 0
        }
        return evaluationsWithoutImprovement >= patience
    }
}
