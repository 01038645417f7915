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
        values.withUnsafeMutableBufferPointer { activationForward($0.baseAddress!, count: $0.count, kind: .gelu) }
        for (value, reference) in zip(values, expected) { #expect(abs(value - reference) < 1e-6) }
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
