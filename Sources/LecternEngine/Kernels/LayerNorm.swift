import Foundation

/// LayerNorm over rows of `width` values: out = (x − mean) · rstd · weight + bias.
/// Saves each row's mean and reciprocal standard deviation for the backward pass.
@inline(__always)
func layerNormForward(output: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>,
                      input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
                      rows: Int, width: Int, epsilon: Float) {
    for row in 0..<rows {
        let x = input + row * width
        let average = sum(x, width) / Float(width)
        let squares = sumOfSquaredDeviations(x, width, from: average)
        let inverse = 1 / (squares / Float(width) + epsilon).squareRoot()
        let y = output + row * width
        for index in 0..<width { y[index] = (x[index] - average) * inverse * weight[index] + bias[index] }
        mean[row] = average
        rstd[row] = inverse
    }
}

/// Σ x, 16 lanes at a time.
@inline(__always)
func sum(_ x: UnsafePointer<Float>, _ count: Int) -> Float {
    let raw = UnsafeRawPointer(x)
    var lanes = Float16x()
    var index = 0
    while index + 16 <= count {
        lanes += raw.loadUnaligned(fromByteOffset: index * 4, as: Float16x.self)
        index += 16
    }
    var total = lanes.sum()
    while index < count { total += x[index]; index += 1 }
    return total
}

/// Σ (x − mean)², 16 lanes at a time.
@inline(__always)
func sumOfSquaredDeviations(_ x: UnsafePointer<Float>, _ count: Int, from mean: Float) -> Float {
    let raw = UnsafeRawPointer(x)
    var lanes = Float16x()
    var index = 0
    while index + 16 <= count {
        let centred = raw.loadUnaligned(fromByteOffset: index * 4, as: Float16x.self) - mean
        lanes += centred * centred
        index += 16
    }
    var total = lanes.sum()
    while index < count { let centred = x[index] - mean; total += centred * centred; index += 1 }
    return total
}

/// The backward pass of `layerNormForward`: writes ∂input into `inputGradient` (and, given a dropout
/// `mask` and room for it, ∂input ⊙ mask into `masked`: the gradient of a projection that was dropped
/// out before the residual sum, in the same pass), and adds ∂weight and ∂bias to their gradients.
/// The rows' input gradients are shared out between the cores by rows, the parameter gradients by
/// columns, each column summed over the rows in order: the split changes no value.
func layerNormBackward(inputGradient: UnsafeMutablePointer<Float>, masked: (mask: DropoutMask, gradient: UnsafeMutablePointer<Float>)? = nil,
                       weightGradient: UnsafeMutablePointer<Float>, biasGradient: UnsafeMutablePointer<Float>,
                       outputGradient: UnsafePointer<Float>, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                       mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>, rows: Int, width: Int) {
    parallelParts(rows, minimumPart: rowsPerPart) { part in
        for row in part {
            let x = input + row * width, dy = outputGradient + row * width, dx = inputGradient + row * width
            let average = mean[row], inverse = rstd[row]
            var meanGradient: Float = 0, meanGradientNormalised: Float = 0
            for index in 0..<width {
                let normalised = (x[index] - average) * inverse
                let gradient = weight[index] * dy[index]
                meanGradient += gradient
                meanGradientNormalised += gradient * normalised
            }
            meanGradient /= Float(width)
            meanGradientNormalised /= Float(width)
            for index in 0..<width {
                let normalised = (x[index] - average) * inverse
                dx[index] = (weight[index] * dy[index] - meanGradient - normalised * meanGradientNormalised) * inverse
            }
            if let masked {
                let offset = row * width, output = masked.gradient + offset, mask = masked.mask.advanced(by: offset)
                for index in 0..<width { output[index] = dx[index] * mask[index] }
            }
        }
    }
    parallelParts(width, minimumPart: max(16, (1 << 15) / max(rows, 1))) { columns in
        for row in 0..<rows {
            let x = input + row * width, dy = outputGradient + row * width
            let average = mean[row], inverse = rstd[row]
            for index in columns {
                let normalised = (x[index] - average) * inverse
                biasGradient[index] += dy[index]
                weightGradient[index] += normalised * dy[index]
            }
        }
    }
}
