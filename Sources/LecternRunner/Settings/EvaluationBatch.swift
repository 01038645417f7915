import LecternNotebook

/// `per_device_eval_batch_size`, shared by `train` (its evaluations) and `evaluate`.
enum EvaluationBatch {
    static let size = Parameter<Int>.integer("per_device_eval_batch_size", 1...4096, default: 8, "Examples per evaluation step.")
}
