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
