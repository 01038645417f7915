import Foundation

/// The Trainer's `evaluate` on its own: batches of labelled examples through the classifier's
/// forward pass, then `eval_loss`, `eval_<metric>` and the runtime figures under the Trainer's keys.
/// It allocates the forward pass only, no gradients and no optimizer moments, so an `evaluate` cell
/// costs what inference costs.
public enum Evaluation {
    /// The evaluation loss (mean cross-entropy, label-smoothed as the Trainer's `compute_loss` does when
    /// `labelSmoothing` is set), the metrics and the runtime figures, with the logits (`[examples, labels]`).
    public static func run(parameters: ModelParameters, precision: MatrixPrecision, batchSize: Int, examples: [LabelledSequence],
                           labelSmoothing: Double = 0, computeMetrics: Trainer.Metrics) throws(ModelError) -> (metrics: [(key: String, value: Double)], logits: [Float]) {
        let clock = ContinuousClock.now
        let classifier = SequenceClassifier(parameters: parameters)
        let labelCount = parameters.config.numLabels
        var logits: [Float] = []
        logits.reserveCapacity(examples.count * labelCount)
        let batches = stride(from: 0, to: examples.count, by: batchSize).map { TokenBatch(examples: examples[$0..<min($0 + batchSize, examples.count)]) }
        for group in JoinedBatches.groups(batches, precision: precision, config: parameters.config) {
            logits += try classifier.forward(joining: Array(batches[group]), precision: precision).logits
        }
        let targets = examples.map(\.target)
        // The same loss as training's (`HeadLoss`), over every example at once: the mean the Trainer's eval_loss is.
        var activations = [Float](repeating: 0, count: logits.count)
        let loss = logits.withUnsafeBufferPointer { logits in
            HeadLoss.forward(logits: logits.baseAddress!, targets: targets, outputs: labelCount, smoothing: labelSmoothing, activations: &activations)
        }
        let runtime = Trainer.seconds(since: clock)
        var metrics: [(key: String, value: Double)] = [("eval_loss", loss)]
        metrics += computeMetrics(logits, targets, labelCount).map { (key: "eval_" + $0.0, value: $0.1) }
        metrics += [("eval_runtime", (runtime * 10_000).rounded() / 10_000),
                    ("eval_samples_per_second", (Double(examples.count) / runtime * 1000).rounded() / 1000),
                    ("eval_steps_per_second", (Double(batches.count) / runtime * 1000).rounded() / 1000)]
        return (metrics, logits)
    }
}
