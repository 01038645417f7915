import Foundation

/// The losses of transformers' sequence classifiers over a batch of logits (`[sequences, outputs]`),
/// chosen by the targets' kind (`ProblemType`), with their gradients: softmax cross-entropy (with
/// the Trainer's label smoothing), mean squared error, and binary cross-entropy on the logits. The
/// one place where logits become probabilities and losses: training's loss, `eval_loss` and
/// `predict`'s probabilities all come from here.
enum HeadLoss {
    /// One row of logits as the task reads it, into `activated`: the softmax over the labels
    /// (single-label), each label's sigmoid (multi-label), the value itself (regression). Returns
    /// log Σ exp(logits) for a softmax row (the cross-entropy's normaliser), else 0. Exponentials of
    /// `logit − largest` (subtracted in float32, as PyTorch's log_softmax does), summed in double.
    @discardableResult
    static func activate(_ row: UnsafePointer<Float>, outputs: Int, as problem: ProblemType, into activated: UnsafeMutablePointer<Float>) -> Double {
        switch problem {
        case .singleLabelClassification:
            var largest = row[0]
            for output in 1..<max(outputs, 1) { largest = max(largest, row[output]) }
            var sum: Double = 0
            for output in 0..<outputs { sum += Foundation.exp(Double(row[output] - largest)) }
            for output in 0..<outputs { activated[output] = Float(Foundation.exp(Double(row[output] - largest)) / sum) }
            return Foundation.log(sum) + Double(largest)
        case .multiLabelClassification:
            for output in 0..<outputs { activated[output] = Float(1 / (1 + Foundation.exp(-Double(row[output])))) }
            return 0
        case .regression:
            for output in 0..<outputs { activated[output] = row[output] }
            return 0
        }
    }

    /// The batch's mean loss. Fills `activations` for the gradient (see `activate`).
    static func forward(logits: UnsafePointer<Float>, targets: [Target], outputs: Int, smoothing: Double,
                        activations: UnsafeMutablePointer<Float>) -> Double {
        var loss: Double = 0
        for (sequence, target) in targets.enumerated() {
            let row = logits + sequence * outputs
            let logSum = activate(row, outputs: outputs, as: target.problemType, into: activations + sequence * outputs)
            switch target {
            case let .label(label):
                if smoothing == 0 {
                    loss += logSum - Double(row[label])
                } else {
                    let overClasses = (0..<outputs).reduce(0) { $0 + logSum - Double(row[$1]) } / Double(outputs)
                    loss += (1 - smoothing) * (logSum - Double(row[label])) + smoothing * overClasses
                }
            case let .score(value):
                let difference = Double(row[0]) - Double(value)
                loss += difference * difference
            case let .labels(values):
                for output in 0..<outputs {
                    let x = Double(row[output]), y = Double(values[output])
                    loss += (max(x, 0) - x * y + Foundation.log1p(Foundation.exp(-abs(x)))) / Double(outputs)
                }
            }
        }
        return loss / Double(max(targets.count, 1))
    }

    /// ∂(mean loss)/∂logits into `gradient`, from the `activations` `forward` left.
    static func backward(targets: [Target], outputs: Int, smoothing: Double, logits: UnsafePointer<Float>,
                         activations: UnsafePointer<Float>, gradient: UnsafeMutablePointer<Float>) {
        let sequences = Float(targets.count)
        // Smoothing spreads ε/K of the target over every class (with ε = 0 the target is the label's 1 exactly).
        let spread = Float(smoothing) / Float(outputs), hit = 1 - Float(smoothing) + spread
        for (sequence, target) in targets.enumerated() {
            let start = sequence * outputs
            switch target {
            case let .label(label):
                for output in 0..<outputs {
                    gradient[start + output] = (activations[start + output] - (output == label ? hit : spread)) / sequences
                }
            case let .score(value):
                gradient[start] = 2 * (logits[start] - value) / sequences
            case let .labels(values):
                for output in 0..<outputs {
                    gradient[start + output] = (activations[start + output] - values[output]) / (sequences * Float(outputs))
                }
            }
        }
    }
}
