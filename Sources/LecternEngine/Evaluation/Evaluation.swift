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
        var batches = 0
        var start = 0
        while start < examples.count {
            let rows = examples[start..<min(start + batchSize, examples.count)]
            logits += try classifier.forward(TokenBatch(examples: rows), precision: precision).logits
            batches += 1
            start += batchSize
        }
        let targets = examples.map(\.target)
        var loss: Double = 0
        if case .label = targets.first {
            // The Trainer's eval_loss for single-label classification, in double over each row.
            for (index, target) in targets.enumerated() {
                guard case let .label(label) = target else { continue }
                let row = logits[(index * labelCount)..<((index + 1) * labelCount)].map(Double.init)
                let largest = row.max()!
                let logSum = Foundation.log(row.reduce(0) { $0 + Foundation.exp($1 - largest) }) + largest
                if labelSmoothing == 0 {
                    loss += logSum - row[label]
                } else {
                    let overClasses = row.reduce(0) { $0 + logSum - $1 } / Double(labelCount)
                    loss += (1 - labelSmoothing) * (logSum - row[label]) + labelSmoothing * overClasses
                }
            }
        } else {
            var activations = [Float](repeating: 0, count: logits.count)
            loss = logits.withUnsafeBufferPointer { logits in
                HeadLoss.forward(logits: logits.baseAddress!, targets: targets, outputs: labelCount, smoothing: 0, activations: &activations)
            } * Double(targets.count)
        }
        let runtime = Trainer.seconds(since: clock)
        var metrics: [(key: String, value: Double)] = [("eval_loss", loss / Double(max(targets.count, 1)))]
        metrics += computeMetrics(logits, targets, labelCount).map { (key: "eval_" + $0.0, value: $0.1) }
        metrics += [("eval_runtime", (runtime * 10_000).rounded() / 10_000),
                    ("eval_samples_per_second", (Double(examples.count) / runtime * 1000).rounded() / 1000),
                    ("eval_steps_per_second", (Double(batches) / runtime * 1000).rounded() / 1000)]
        return (metrics, logits)
    }
}
