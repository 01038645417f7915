import Foundation

/// LayerNorm over rows of `width` values: out = (x − mean) · rstd · weight + bias.
/// Saves each row's mean and reciprocal standard deviation for the backward pass.
@inline(__always)
func layerNormForward(output: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>,
                      input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
                      rows: Int, width: Int, epsilon: Float) {
    for row in 0..<rows {
        let x = input + row * width
        var sum: Float = 0
        for index in 0..<width { sum += x[index] }
        let average = sum / Float(width)
        var squares: Float = 0
        for index in 0..<width {
            let centred = x[index] - average
            squares += centred * centred
        }
        let inverse = 1 / (squares / Float(width) + epsilon).squareRoot()
        let y = output + row * width
        for index in 0..<width { y[index] = (x[index] - average) * inverse * weight[index] + bias[index] }
        mean[row] = average
        rstd[row] = inverse
    }
}
