import CKernels
import Foundation
import Testing
@testable import LecternEngine

struct KernelTests {
    typealias Elementwise = @convention(c) (UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, Int) -> Void

    /// Each variant this CPU can run of a C kernel (`CKernels`).
    static func variants<Kernel>(_ avx2: Kernel, _ avx512: Kernel) -> [(name: String, kernel: Kernel)] {
        [("AVX2", avx2)] + (CPU.current.has(.avx512) ? [("AVX-512", avx512)] : [])
    }

    @Test func vectorExpIsWithinAFewULPOfExp() {
        let inputs = stride(from: Float(-87), through: 88, by: 0.013).flatMap { step in (0..<16).map { step + Float($0) * 0.0007 } }
        for (name, exp) in Self.variants(lectern_exp_avx2 as Elementwise, lectern_exp_avx512) {
            var results = [Float](repeating: 0, count: inputs.count)
            exp(inputs, &results, inputs.count)
            let worst = zip(inputs, results).map { Float(abs(Double($1) - Foundation.exp(Double($0))) / Foundation.exp(Double($0))) }.max()!
            #expect(worst < 4e-7, "\(name): worst relative error \(worst)")
        }
    }

    @Test func vectorErfIsWithinHalfAMillionthOfErf() {
        let inputs = Array(stride(from: Float(-6), through: 6, by: 0.001)).prefix(12_000 / 16 * 16)
        for (name, erf) in Self.variants(lectern_erf_avx2 as Elementwise, lectern_erf_avx512) {
            var results = [Float](repeating: 0, count: inputs.count)
            erf(Array(inputs), &results, inputs.count)
            let worst = zip(inputs, results).map { Float(abs(Double($1) - Foundation.erf(Double($0)))) }.max()!
            #expect(worst < 5e-7, "\(name): worst absolute error \(worst)")
        }
    }

    /// Softmax's last values of a row get libm's expf bits from a vector copy of it: every float of a
    /// sweep through all bit patterns (a prime stride, so every range of exponents is visited), the
    /// edges of its special cases, NaN, the infinities and zeros. (All 2³² floats were compared once,
    /// outside the tests: no difference.)
    @Test func softmaxTailExpHasLibmBits() {
        let edges: [Float] = [0x1.62e42ep+6, 0x1.62e430p+6, -0x1.9fe368p+6, -0x1.9fe36ap+6, -0x1.9d1d9ep+6, -0x1.9d1da0p+6,
                              -0x1.9d1d9cp+6, 88, -88, -87.3, .infinity, -.infinity, .nan, -.nan, 0, -0, .leastNonzeroMagnitude, 1e-30]
        let sweep = stride(from: UInt64(0), to: 1 << 32, by: 9_973).map { Float(bitPattern: UInt32($0)) }
        // Every float within 4,096 of each threshold, where libm leaves its main formula.
        let thresholds = edges.prefix(7).flatMap { edge in (-4_096...4_096).map { Float(bitPattern: UInt32(Int(edge.bitPattern) + $0)) } }
        let inputs = edges + thresholds + sweep
        var results = [Float](repeating: 0, count: inputs.count)
        lectern_expf_libm(inputs, &results, inputs.count)
        let differing = zip(inputs, results).filter { expf($0).bitPattern != $1.bitPattern }
        let count = differing.count, first = differing.prefix(3).map { "e^\($0) = \(expf($0)), not \($1)" }
        #expect(count == 0, "\(first)")
    }

    /// GELU's value of an element does not depend on where the pass over it starts (the bfloat16
    /// products run it on blocks of rows): a tail goes through the same vector operations as the lanes.
    @Test func geluGivesTheSameBitsWhereverAPassStarts() {
        var generator = SplitMix64(seed: 7)
        let inputs = (0..<75).map { _ in 3 * generator.normal() }
        for (name, gelu) in Self.variants(lectern_gelu_avx2 as Elementwise, lectern_gelu_avx512) {
            var whole = [Float](repeating: .nan, count: inputs.count)
            gelu(inputs, &whole, inputs.count)
            for cut in [1, 5, 16, 21, 60] {
                var pieces = [Float](repeating: .nan, count: inputs.count)
                inputs.withUnsafeBufferPointer { input in
                    pieces.withUnsafeMutableBufferPointer { output in
                        gelu(input.baseAddress!, output.baseAddress!, cut)
                        gelu(input.baseAddress! + cut, output.baseAddress! + cut, inputs.count - cut)
                    }
                }
                #expect(pieces.map(\.bitPattern) == whole.map(\.bitPattern), "\(name), cut at \(cut)")
            }
        }
    }

    /// Softmax takes rows four at a time (their in-order sums interleaved) and the rest one by one:
    /// every row gets the bits it gets alone.
    @Test func softmaxOfManyRowsIsSoftmaxOfEachRow() {
        var generator = SplitMix64(seed: 9)
        let (rows, columns) = (11, 37)
        let inputs = (0..<(rows * columns)).map { _ in 4 * generator.normal() }
        for (name, softmax) in Self.variants(lectern_softmax_rows_avx2, lectern_softmax_rows_avx512) {
            var together = inputs
            softmax(&together, rows, columns)
            var alone = inputs
            alone.withUnsafeMutableBufferPointer { values in
                for row in 0..<rows { softmax(values.baseAddress! + row * columns, 1, columns) }
            }
            #expect(together.map(\.bitPattern) == alone.map(\.bitPattern), "\(name)")
        }
    }

    /// The activation and softmax kernels' exact bits on a fixed grid, as digests: the numbers the Swift
    /// SIMD16 kernels gave before the C kernels replaced them (and the shipped lessons' transcripts
    /// hold). A change of any operation's order or rounding shows here.
    @Test func theKernelsKeepTheirBits() {
        let inputs = (0..<4_000).map { Float($0 - 2_000) * 0.004_9 }
        func digest(_ values: [Float]) -> UInt64 {
            values.reduce(0xcbf2_9ce4_8422_2325 as UInt64) { ($0 ^ UInt64($1.bitPattern)) &* 0x100_0000_01b3 }
        }
        for (name, gelu) in Self.variants(lectern_gelu_avx2 as Elementwise, lectern_gelu_avx512) {
            var output = inputs
            gelu(inputs, &output, inputs.count)
            #expect(String(digest(output), radix: 16) == "4355d0dc2c7b9f08", "\(name) GELU")
        }
        for (name, kernel) in Self.variants(lectern_gelu_output_and_derivative_avx2, lectern_gelu_output_and_derivative_avx512) {
            var derivative = inputs, output = inputs
            kernel(&derivative, &output, inputs.count)
            #expect(String(digest(output + derivative), radix: 16) == "c7d1bd1bf47ca712", "\(name) GELU output and derivative")
        }
        for (name, softmax) in Self.variants(lectern_softmax_rows_avx2, lectern_softmax_rows_avx512) {
            var rows = inputs
            softmax(&rows, 80, 50)
            #expect(String(digest(rows), radix: 16) == "3b2e7705b598d31b", "\(name) softmax")
            // Rows that fall instead of rising: each row's largest value is in its first lanes, not its tail.
            var falling = Array(inputs.reversed())
            softmax(&falling, 80, 50)
            #expect(String(digest(falling), radix: 16) == "61d7e6f47d4fc9b9", "\(name) softmax, falling rows")
        }
    }

    /// The AVX-512 and AVX2 variants of the activation and softmax kernels give the same bits, lanes and tails alike.
    @Test(.enabled(if: CPU.current.has(.avx512), "this CPU runs one variant"))
    func theVariantsOfEachKernelGiveTheSameBits() {
        var generator = SplitMix64(seed: 13)
        let inputs = (0..<1_000).map { _ in 3 * generator.normal() }
        var outputs: [[Float]] = []
        for gelu in [lectern_gelu_avx2 as Elementwise, lectern_gelu_avx512] {
            var output = [Float](repeating: 0, count: inputs.count)
            gelu(inputs, &output, inputs.count)
            outputs.append(output)
        }
        for kernel in [lectern_gelu_output_and_derivative_avx2, lectern_gelu_output_and_derivative_avx512] {
            var derivative = inputs, output = [Float](repeating: 0, count: inputs.count)
            kernel(&derivative, &output, inputs.count)
            outputs.append(output + derivative)
        }
        for softmax in [lectern_softmax_rows_avx2, lectern_softmax_rows_avx512] {
            var rows = inputs
            softmax(&rows, 40, 25)
            outputs.append(rows)
        }
        for pair in stride(from: 0, to: outputs.count, by: 2) {
            #expect(outputs[pair].map(\.bitPattern) == outputs[pair + 1].map(\.bitPattern), "kernel \(pair / 2)")
        }
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
