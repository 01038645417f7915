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
