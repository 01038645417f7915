import Foundation

extension ModelFamily.HeadActivation {
    /// Applies the activation to `count` values in place.
    func forward(_ values: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .tanh: for index in 0..<count { values[index] = tanhf(values[index]) }
        case .relu: for index in 0..<count { values[index] = max(values[index], 0) }
        }
    }

    /// Multiplies `gradient` by the activation's derivative, written in terms of its `output`:
    /// tanh' = 1 − tanh², ReLU' = 1 where the output is positive, else 0.
    func backward(_ gradient: UnsafeMutablePointer<Float>, output: UnsafePointer<Float>, count: Int) {
        switch self {
        case .tanh: for index in 0..<count { gradient[index] *= 1 - output[index] * output[index] }
        case .relu: for index in 0..<count where output[index] <= 0 { gradient[index] = 0 }
        }
    }
}
