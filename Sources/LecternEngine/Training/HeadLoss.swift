import Foundation

/// The losses of transformers' sequence classifiers over a batch of logits (`[sequences, outputs]`),
/// chosen by the targets' kind (`ProblemType`), with their gradients: softmax cross-entropy (with
/// the Trainer's label smoothing), mean squared error, and binary cross-entropy on the logits.
enum HeadLoss {
    /// The batch's mean loss. Fills `activations` for the gradient: softmax rows for single-label
    /// classification, each output's sigmoid for multi-label classification.
    static func forward(logits: UnsafePointer<Float>, targets: [Target], outputs: Int, smoothing: Double,
                        activations: UnsafeMutablePointer<Float>) -> Double {
        var loss: Double = 0
        for (sequence, target) in targets.enumerated() {
            let row = logits + sequence * outputs, activated = activations + sequence * outputs
            switch target {
            case let .label(label):
                let largest = (0..<outputs).map { row[$0] }.max()!
                var sum: Double = 0
                for output in 0..<outputs { sum += Foundation.exp(Double(row[output] - largest)) }
                for output in 0..<outputs { activated[output] = Float(Foundation.exp(Double(row[output] - largest)) / sum) }
                let logSum = Foundation.log(sum) + Double(largest)
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
                    activated[output] = Float(1 / (1 + Foundation.exp(-x)))
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
