/// What one sequence should be predicted as.
public enum Target: Sendable, Equatable {
    /// The class id (single-label classification).
    case label(Int)
    /// The value of the single output (regression).
    case score(Float)
    /// 1 or 0 for each label (multi-label classification).
    case labels([Float])

    /// Whether `targets` are of one kind and fit a head of `outputs` outputs.
    public static func fit(_ targets: [Target], outputs: Int) -> Bool {
        guard let kind = targets.first?.problemType else { return true }
        return targets.allSatisfy { target in
            switch target {
            case let .label(label): kind == .singleLabelClassification && label >= 0 && label < outputs
            case let .score(value): kind == .regression && outputs == 1 && value.isFinite
            case let .labels(values): kind == .multiLabelClassification && values.count == outputs
            }
        }
    }

    public var problemType: ProblemType {
        switch self {
        case .label: .singleLabelClassification
        case .score: .regression
        case .labels: .multiLabelClassification
        }
    }
}
