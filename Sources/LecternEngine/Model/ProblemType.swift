/// What a sequence classifier's outputs mean, with transformers' `problem_type` names, and the loss
/// its `*ForSequenceClassification` models take for each.
public enum ProblemType: String, Sendable, CaseIterable {
    /// One class per text: softmax cross-entropy over the labels (`CrossEntropyLoss`).
    case singleLabelClassification = "single_label_classification"
    /// One number per text: the single output against it, mean squared error (`MSELoss`).
    case regression
    /// Any number of labels per text: each output against 0 or 1, binary cross-entropy on the
    /// logits averaged over texts and labels (`BCEWithLogitsLoss`).
    case multiLabelClassification = "multi_label_classification"
}

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
