import Foundation

/// Adds `bias` (length `columns`) to every row of `matrix`.
@inline(__always)
func addBias(_ matrix: UnsafeMutablePointer<Float>, _ bias: UnsafePointer<Float>, rows: Int, columns: Int) {
    for row in 0..<rows {
        let values = matrix + row * columns
        for column in 0..<columns { values[column] += bias[column] }
    }
}

/// out = a + b, element by element.
@inline(__always)
func add(_ output: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) {
    for index in 0..<count { output[index] = a[index] + b[index] }
}

/// The activation of BERT's feed-forward layer: `output` = act(`input`), in one pass (`output` may be `input`).
func activationForward(_ input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, count: Int, kind: ModelConfig.Activation) {
    switch kind {
    case .gelu:
        // x · Φ(x) = 0.5 · x · (1 + erf(x / √2)), as torch.nn.functional.gelu.
        VectorKernels.gelu(input, output, count)
    case .geluTanh:
        let scale: Float = 0.797_884_56  // √(2/π)
        for index in 0..<count {
            let x = input[index]
            output[index] = 0.5 * x * (1 + tanhf(scale * (x + 0.044715 * x * x * x)))
        }
    case .relu:
        for index in 0..<count { output[index] = max(0, input[index]) }
    }
}

/// Softmax of each row of `rows × columns`, in place, with the row's largest value subtracted for stability.
@inline(__always)
func softmaxRows(_ values: UnsafeMutablePointer<Float>, rows: Int, columns: Int) {
    VectorKernels.softmaxRows(values, rows, columns)
}

/// Column sums of `gradient` (`[rows, columns]`) added to `biasGradient`: the backward pass of a
/// bias. Given the `derivative` `activationOutputAndDerivative` left, `gradient` is first multiplied
/// by it in the same pass (the activation's backward fused with its bias's: `applyDerivative`
/// element by element). The cores take a share of the columns each; every column is summed over the
/// rows in order, as on one core, so the split changes no value.
func biasBackward(_ biasGradient: UnsafeMutablePointer<Float>, _ gradient: UnsafeMutablePointer<Float>, rows: Int, columns: Int,
                  derivative: (values: UnsafePointer<Float>, kind: ModelConfig.Activation)? = nil) {
    parallelParts(columns, minimumPart: max(16, (1 << 15) / max(rows, 1))) { part in
        for row in 0..<rows {
            let values = gradient + row * columns
            if let derivative {
                applyDerivative(values + part.lowerBound, derivative.values + row * columns + part.lowerBound, count: part.count, kind: derivative.kind)
            }
            for column in part { biasGradient[column] += values[column] }
        }
    }
}

/// The backward pass's view of the activation, in one pass over its saved input: the output, as
/// `activationForward` computes it (the feed-forward output's weight gradient reads it), into
/// `output`, and in place of `input` the derivative, each with the same operations as there (GELU's
/// erf is computed once for both). `applyDerivative` (or `biasBackward`, fused with it) then
/// finishes the backward pass.
func activationOutputAndDerivative(_ input: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>, count: Int, kind: ModelConfig.Activation) {
    switch kind {
    case .gelu:
        VectorKernels.geluOutputAndDerivative(input, output, count)
    case .geluTanh:
        let scale: Float = 0.797_884_56
        for index in 0..<count {
            let x = input[index]
            let t = tanhf(scale * (x + 0.044715 * x * x * x))
            output[index] = 0.5 * x * (1 + t)
            input[index] = 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * scale * (1 + 3 * 0.044715 * x * x)
        }
    case .relu:
        for index in 0..<count {
            let x = input[index]
            output[index] = max(0, x)
            input[index] = x <= 0 ? 0 : 1
        }
    }
}

/// `gradient` ⊙ the derivative `activationOutputAndDerivative` left (ReLU: zero where the input was ≤ 0).
@inline(__always)
func applyDerivative(_ gradient: UnsafeMutablePointer<Float>, _ derivative: UnsafePointer<Float>, count: Int, kind: ModelConfig.Activation) {
    switch kind {
    case .gelu, .geluTanh:
        for index in 0..<count { gradient[index] *= derivative[index] }
    case .relu:
        for index in 0..<count where derivative[index] == 0 { gradient[index] = 0 }
    }
}
