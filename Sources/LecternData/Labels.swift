/// What a dataset's label column holds, with transformers' `problem_type` names: one class per row,
/// a number per row, or a set of classes per row. Chosen by `load`'s `problem_type`.
public enum LabelTask: String, Sendable, CaseIterable {
    case singleLabelClassification = "single_label_classification"
    case regression
    case multiLabelClassification = "multi_label_classification"
}

/// A split's label column, by task.
public enum Labels: Sendable, Equatable {
    /// Class ids into the dataset's label names.
    case classes([Int])
    /// One number per row (regression).
    case scores([Double])
    /// The class ids of each row, ascending (multi-label; a row may have none).
    case sets([[Int]])

    public var task: LabelTask {
        switch self {
        case .classes: .singleLabelClassification
        case .scores: .regression
        case .sets: .multiLabelClassification
        }
    }

    public var count: Int {
        switch self {
        case let .classes(values): values.count
        case let .scores(values): values.count
        case let .sets(values): values.count
        }
    }

    /// The rows at `indices`, in that order.
    public func select(_ indices: [Int]) -> Labels {
        switch self {
        case let .classes(values): .classes(indices.map { values[$0] })
        case let .scores(values): .scores(indices.map { values[$0] })
        case let .sets(values): .sets(indices.map { values[$0] })
        }
    }

    /// The rows in `range`.
    public func rows(_ range: Range<Int>) -> Labels { select(Array(range)) }

    /// These rows followed by `other`'s (of the same task).
    public func appending(_ other: Labels) -> Labels {
        switch (self, other) {
        case let (.classes(a), .classes(b)): .classes(a + b)
        case let (.scores(a), .scores(b)): .scores(a + b)
        case let (.sets(a), .sets(b)): .sets(a + b)
        default: self
        }
    }

    /// No rows, of the same task.
    public var emptied: Labels { select([]) }

    /// How many rows hold each class (for sets: each class a row holds), of `classCount` classes.
    public func classCounts(_ classCount: Int) -> [Int] {
        var counts = [Int](repeating: 0, count: classCount)
        switch self {
        case let .classes(values): for label in values where label >= 0 && label < classCount { counts[label] += 1 }
        case let .sets(values): for row in values { for label in row where label >= 0 && label < classCount { counts[label] += 1 } }
        case .scores: break
        }
        return counts
    }
}
