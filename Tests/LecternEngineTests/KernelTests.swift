import Foundation
import Testing
@testable import LecternEngine

struct KernelTests {
    @Test func vectorExpIsWithinAFewULPOfExp() {
        var worst: Float = 0
        for step in stride(from: Float(-87), through: 88, by: 0.013) {
            let lanes = Float16x((0..<16).map { step + Float($0) * 0.0007 })
            let result = vectorExp(lanes)
            for lane in 0..<16 {
                let exact = Foundation.exp(Double(lanes[lane]))
                worst = max(worst, Float(abs(Double(result[lane]) - exact) / exact))
            }
        }
        #expect(worst < 4e-7, "worst relative error \(worst)")
    }

    @Test func vectorErfIsWithinHalfAMillionthOfErf() {
        var worst: Float = 0
        for step in stride(from: Float(-6), through: 6, by: 0.001) {
            let lanes = Float16x(repeating: step)
            let result = vectorErf(lanes)[0]
            worst = max(worst, Float(abs(Double(result) - Foundation.erf(Double(step)))))
        }
        #expect(worst < 5e-7, "worst absolute error \(worst)")
    }

    @Test func geluMatchesTheErfDefinitionOnEveryLaneAndTheTail() {
        var values = (0..<37).map { Float($0) * 0.31 - 5.5 }
        let expected: [Float] = values.map { x in
            let phi = 1 + Foundation.erf(Double(x) / 2.0.squareRoot())
            return Float(0.5 * Double(x) * phi)
        }
        values.withUnsafeMutableBufferPointer { activationForward($0.baseAddress!, output: $0.baseAddress!, count: $0.count, kind: .gelu) }
        for (value, reference) in zip(values, expected) { #expect(abs(value - reference) < 1e-6) }
    }

    /// The backward pass makes the activation's output again: it must be the forward pass's, bit for bit
    /// (lanes and tail alike), and the derivative beside it the slope of that output.
    @Test(arguments: [ModelConfig.Activation.gelu, .geluTanh, .relu])
    func theBackwardPassRemakesTheForwardOutputExactlyWithItsDerivative(kind: ModelConfig.Activation) {
        let inputs = (0..<83).map { Float($0) * 0.11 - 4.5 }
        var forward = inputs
        forward.withUnsafeMutableBufferPointer { activationForward(inputs, output: $0.baseAddress!, count: $0.count, kind: kind) }
        var derivative = inputs, output = [Float](repeating: .nan, count: inputs.count)
        derivative.withUnsafeMutableBufferPointer { derivative in
            output.withUnsafeMutableBufferPointer { activationOutputAndDerivative(derivative.baseAddress!, output: $0.baseAddress!, count: $0.count, kind: kind) }
        }
        #expect(output.map(\.bitPattern) == forward.map(\.bitPattern))
        let step = 1e-3
        for (index, x) in inputs.enumerated() where kind != .relu || abs(x) > 0.01 {
            func f(_ x: Double) -> Double {
                switch kind {
                case .gelu: 0.5 * x * (1 + erf(x / 2.0.squareRoot()))
                case .geluTanh: 0.5 * x * (1 + tanh((2 / Double.pi).squareRoot() * (x + 0.044715 * x * x * x)))
                case .relu: max(0, x)
                }
            }
            let slope = (f(Double(x) + step) - f(Double(x) - step)) / (2 * step)
            #expect(abs(Double(derivative[index]) - slope) < 2e-5, "\(kind) at \(x): \(derivative[index]) against \(slope)")
        }
        var gradient = [Float](repeating: -2, count: inputs.count)
        gradient.withUnsafeMutableBufferPointer { applyDerivative($0.baseAddress!, derivative, count: $0.count, kind: kind) }
        #expect(zip(gradient, derivative).allSatisfy { $0 == -2 * $1 || ($1 == 0 && $0 == 0) })
    }

    /// The activation's backward pass fused with its bias's, shared out by columns: the same bits as
    /// `applyDerivative` over the whole gradient, then the column sums row by row on one core.
    @Test(arguments: [(rows: 5, columns: 37), (rows: 300, columns: 1_000)])
    func theFusedDerivativeAndBiasGradientAreTheSeparatePasses(rows: Int, columns: Int) {
        var generator = SplitMix64(seed: UInt64(rows))
        let gradient = (0..<(rows * columns)).map { _ in generator.normal() }
        let derivative = (0..<(rows * columns)).map { _ in max(0, generator.normal()) }
        let initialBias = (0..<columns).map { _ in generator.normal() }
        for kind in [ModelConfig.Activation.gelu, .relu] {
            var expected = gradient, expectedBias = initialBias
            expected.withUnsafeMutableBufferPointer { applyDerivative($0.baseAddress!, derivative, count: $0.count, kind: kind) }
            for row in 0..<rows { for column in 0..<columns { expectedBias[column] += expected[row * columns + column] } }
            var fused = gradient, fusedBias = initialBias
            fused.withUnsafeMutableBufferPointer { values in
                fusedBias.withUnsafeMutableBufferPointer { bias in
                    derivative.withUnsafeBufferPointer {
                        biasBackward(bias.baseAddress!, values.baseAddress!, rows: rows, columns: columns, derivative: ($0.baseAddress!, kind))
                    }
                }
            }
            #expect(fused.map(\.bitPattern) == expected.map(\.bitPattern))
            #expect(fusedBias.map(\.bitPattern) == expectedBias.map(\.bitPattern))
        }
    }

    /// LayerNorm's backward pass shared out between the cores (rows for ∂input, columns for ∂weight and
    /// ∂bias), with the dropout mask of the projection before it: the same bits as one core's pass,
    /// row by row, written here as the formula.
    @Test(arguments: [3, 300])
    func layerNormBackwardSharedOutIsTheOneCorePass(rows: Int) {
        let width = 40
        var generator = SplitMix64(seed: 11)
        func values(_ count: Int) -> [Float] { (0..<count).map { _ in generator.normal() } }
        let x = values(rows * width), dy = values(rows * width), weight = values(width)
        let mean = (0..<rows).map { row in x[(row * width)..<((row + 1) * width)].reduce(0, +) / Float(width) }
        let rstd = (0..<rows).map { _ in 1 + 0.1 * abs(generator.normal()) }
        var kept = (0..<(rows * width)).map { _ in UInt8(generator.normal() > -1 ? 1 : 0) }
        var dx = [Float](repeating: 0, count: rows * width), weightGradient = values(width), biasGradient = values(width)
        var expectedWeight = weightGradient, expectedBias = biasGradient
        for row in 0..<rows {
            let offset = row * width
            var meanGradient: Float = 0, meanGradientNormalised: Float = 0
            for index in 0..<width {
                let normalised = (x[offset + index] - mean[row]) * rstd[row], gradient = weight[index] * dy[offset + index]
                meanGradient += gradient
                meanGradientNormalised += gradient * normalised
            }
            meanGradient /= Float(width)
            meanGradientNormalised /= Float(width)
            for index in 0..<width {
                let normalised = (x[offset + index] - mean[row]) * rstd[row]
                expectedBias[index] += dy[offset + index]
                expectedWeight[index] += normalised * dy[offset + index]
                dx[offset + index] = (weight[index] * dy[offset + index] - meanGradient - normalised * meanGradientNormalised) * rstd[row]
            }
        }
        var inputGradient = [Float](repeating: .nan, count: rows * width), masked = inputGradient
        kept.withUnsafeMutableBufferPointer { kept in
            masked.withUnsafeMutableBufferPointer { masked in
                layerNormBackward(inputGradient: &inputGradient, masked: (DropoutMask(kept.baseAddress!, probability: 0.1), masked.baseAddress!),
                                  weightGradient: &weightGradient, biasGradient: &biasGradient, outputGradient: dy, input: x, weight: weight,
                                  mean: mean, rstd: rstd, rows: rows, width: width)
            }
        }
        #expect(inputGradient.map(\.bitPattern) == dx.map(\.bitPattern))
        #expect(masked.map(\.bitPattern) == zip(dx, kept).map { ($0 * ($1 != 0 ? 1 / (1 - Float(0.1)) : 0)).bitPattern })
        #expect(weightGradient.map(\.bitPattern) == expectedWeight.map(\.bitPattern))
        #expect(biasGradient.map(\.bitPattern) == expectedBias.map(\.bitPattern))
    }

    @Test func softmaxRowsSumToOneAndKeepOrder() {
        var values: [Float] = (0..<(3 * 21)).map { index -> Float in
            let step = Float((index * 37) % 19)
            return step * 0.7 - 4
        }
        let original = values
        values.withUnsafeMutableBufferPointer { softmaxRows($0.baseAddress!, rows: 3, columns: 21) }
        for row in 0..<3 {
            let slice = values[(row * 21)..<((row + 1) * 21)]
            #expect(abs(slice.reduce(0, +) - 1) < 1e-6)
            let logits = original[(row * 21)..<((row + 1) * 21)]
            let denominator = logits.map { Foundation.exp(Double($0)) }.reduce(0, +)
            for (p, x) in zip(slice, logits) { #expect(abs(Double(p) - Foundation.exp(Double(x)) / denominator) < 1e-6) }
        }
    }
}
