import CBFloat16
import Foundation
import LecternTestSupport
import Testing
@testable import LecternEngine

/// The bfloat16 products (AVX512-BF16) held to rounding bounds, not loose tolerances: against the
/// same product of the inputs rounded to bfloat16 (only float32 summation error is allowed: that
/// proves the rounding to nearest-even and the packing), and against the exact float32 product
/// (the bound bf16's 8-bit significand gives).
@Suite(.enabled(if: CPU.current.has(.avx512bf16), "this CPU has no AVX512-BF16"))
struct BFloat16ProductTests {
    /// One bfloat16 ulp below 2 is 2⁻⁷ and rounding is to nearest, ties to even (torch's `.to(torch.bfloat16)`).
    @Test func roundsToNearestEven() {
        #expect(lectern_bf16_round(1 + 0x1p-8) == 1)  // a tie, to the even neighbour below
        #expect(lectern_bf16_round(1 + 0x1p-7 + 0x1p-8) == 1 + 0x1p-6)  // a tie, to the even neighbour above
        #expect(lectern_bf16_round(1 + 0x1p-8 + 0x1p-20) == 1 + 0x1p-7)  // past the tie
        #expect(lectern_bf16_round(-3.14159) == -3.140625)
        #expect(lectern_bf16_round(.infinity) == .infinity)
        #expect(lectern_bf16_round(.nan).isNaN)
    }

    /// Shapes chosen to cross every edge: tiles of 12 rows and 32 columns, packing steps of 512 k
    /// values and 96 rows, odd k, one row, one column; leading dimensions wider than the matrices.
    static let shapes: [(m: Int, n: Int, k: Int)] = [(1, 1, 1), (13, 33, 7), (12, 32, 64), (25, 65, 513), (97, 47, 1100), (200, 3, 31), (1, 384, 384)]

    @Test(arguments: [(false, false), (false, true), (true, false), (true, true)])
    func matchesTheRoundedInputsProduct(transposeA: Bool, transposeB: Bool) {
        for (index, shape) in Self.shapes.enumerated() {
            let problem = Problem(m: shape.m, n: shape.n, k: shape.k, transposeA: transposeA, transposeB: transposeB, seed: UInt64(index + 1))
            let c = problem.bfloat16Product(alpha: 0.75, beta: 0.5)
            let rounded = problem.reference(alpha: 0.75, beta: 0.5, roundInputs: true)
            let exact = problem.reference(alpha: 0.75, beta: 0.5, roundInputs: false)
            let u32 = 0x1p-24, ubf = 0x1p-8
            for index in c.indices {
                let (value, magnitude) = rounded[index]
                // float32 sums: at most k + 3 roundings (the two products of a pair, α, β, the k steps).
                let summation = Double(shape.k + 3) * u32 * magnitude * 1.01 + 0x1p-120
                #expect(abs(Double(c[index]) - value) <= summation, "\(shape) C[\(index)] vs rounded inputs")
                // Each input within ubf of itself: the products within 2ubf + ubf².
                let (exactValue, exactMagnitude) = exact[index]
                #expect(abs(Double(c[index]) - exactValue) <= (2 * ubf + ubf * ubf) * exactMagnitude + summation * 1.02,
                        "\(shape) C[\(index)] vs exact")
            }
        }
    }

    /// β = 0 means C is not read (it may hold NaN), as in BLAS.
    @Test func betaZeroIgnoresWhatCHeld() {
        let problem = Problem(m: 14, n: 35, k: 9, transposeA: false, transposeB: true, seed: 9)
        let c = problem.bfloat16Product(alpha: 1, beta: 0, initial: .nan)
        #expect(c.allSatisfy { $0.isFinite })
        let rounded = problem.reference(alpha: 1, beta: 0, roundInputs: true)
        for index in c.indices { #expect(abs(Double(c[index]) - rounded[index].value) <= 12 * 0x1p-24 * rounded[index].magnitude + 0x1p-120) }
    }

    /// A linear layer's bias is added as the product is stored, in place of β · C (C is not read), across packing steps of k.
    @Test func aBiasReplacesWhatCHeld() {
        let problem = Problem(m: 30, n: 70, k: 600, transposeA: false, transposeB: true, seed: 11)
        let bias = (0..<problem.n).map { Float($0) / 7 - 5 }
        let c = problem.bfloat16Product(alpha: 1, beta: 0, initial: .nan, bias: bias)
        let rounded = problem.reference(alpha: 1, beta: 0, roundInputs: true)
        for index in c.indices {
            let expected = rounded[index].value + Double(bias[index % problem.n])
            #expect(abs(Double(c[index]) - expected) <= Double(problem.k + 3) * 0x1p-24 * (rounded[index].magnitude + abs(expected)) + 0x1p-120)
        }
    }

    /// A weight packed once (inference) gives the same bits as packing it in every product, across steps of k.
    @Test func aWeightPackedOnceGivesTheSameBits() {
        let (out, features, rows) = (70, 1100, 29)
        var generator = SplitMix64(seed: 3)
        let weight = (0..<(out * features)).map { _ in Float(generator.uniform() * 2 - 1) }
        let input = (0..<(rows * features)).map { _ in Float(generator.uniform() * 2 - 1) }
        let bias = (0..<out).map { Float($0) / 10 }
        func product(packed: BFloat16PackedWeight?) -> [Float] {
            var output = [Float](repeating: .nan, count: rows * out)
            output.withUnsafeMutableBufferPointer { output in
                MatrixPrecision.bfloat16.linear(input: input, rows: rows, inFeatures: features, weight: weight, bias: bias, outFeatures: out,
                                                output: output.baseAddress!, packed: packed)
            }
            return output
        }
        let packed = weight.withUnsafeBufferPointer { BFloat16PackedWeight($0.baseAddress!, outFeatures: out, inFeatures: features) }
        #expect(product(packed: packed).map(\.bitPattern) == product(packed: nil).map(\.bitPattern))
    }

    /// A pass given to a linear layer as `then` sees each row once and finished (after the last step
    /// of k), in both precisions: a copy of each row taken there is the product's output.
    @Test(arguments: [MatrixPrecision.float32, .bfloat16])
    func aPassFusedWithALinearLayerSeesEachRowOnceFinished(precision: MatrixPrecision) {
        let (out, features, rows) = (70, 1100, 230)
        var generator = SplitMix64(seed: 4)
        let weight = (0..<(out * features)).map { _ in Float(generator.uniform() * 2 - 1) }
        let input = (0..<(rows * features)).map { _ in Float(generator.uniform() * 2 - 1) }
        let bias = (0..<out).map { Float($0) / 10 }
        var output = [Float](repeating: .nan, count: rows * out), copies = output, visits = [Int](repeating: 0, count: rows)
        output.withUnsafeMutableBufferPointer { output in
            copies.withUnsafeMutableBufferPointer { copies in
                visits.withUnsafeMutableBufferPointer { visits in
                    let (output, copies, visits) = (output.baseAddress!, copies.baseAddress!, visits.baseAddress!)
                    precision.linear(input: input, rows: rows, inFeatures: features, weight: weight, bias: bias, outFeatures: out,
                                     output: output) { part in
                        for row in part {
                            visits[row] += 1
                            (copies + row * out).update(from: output + row * out, count: out)
                        }
                    }
                }
            }
        }
        #expect(visits == [Int](repeating: 1, count: rows))
        #expect(copies.map(\.bitPattern) == output.map(\.bitPattern))
        #expect(!output.contains { $0.isNaN })
    }

    /// One core or two: the same bits (every element is summed in the same order).
    @Test func sameBitsOnAnyThreadCount() {
        let problem = Problem(m: 301, n: 130, k: 1030, transposeA: true, transposeB: false, seed: 5)
        withBLASThreadsHeld {
            let threads = BLAS.threads
            defer { BLAS.setThreads(threads) }
            BLAS.setThreads(1)
            let one = problem.bfloat16Product(alpha: 1, beta: 0)
            BLAS.setThreads(2)
            let two = problem.bfloat16Product(alpha: 1, beta: 0)
            #expect(one.map(\.bitPattern) == two.map(\.bitPattern))
        }
    }

    /// A random product problem; stored A is m×k (k×m when transposed), B k×n (n×k), each row padded by 3.
    struct Problem {
        let m, n, k: Int
        let transposeA, transposeB: Bool
        let a, b, c: [Float]
        var lda: Int { (transposeA ? m : k) + 3 }
        var ldb: Int { (transposeB ? k : n) + 3 }
        var ldc: Int { n + 3 }

        init(m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool, seed: UInt64) {
            self.m = m; self.n = n; self.k = k
            self.transposeA = transposeA; self.transposeB = transposeB
            var generator = SplitMix64(seed: seed)
            func values(_ count: Int) -> [Float] { (0..<count).map { _ in Float(generator.uniform() * 4 - 2) } }
            a = values((transposeA ? k : m) * ((transposeA ? m : k) + 3))
            b = values((transposeB ? n : k) * ((transposeB ? k : n) + 3))
            c = values(m * (n + 3))
        }

        func elementA(_ i: Int, _ p: Int) -> Float { transposeA ? a[p * lda + i] : a[i * lda + p] }
        func elementB(_ p: Int, _ j: Int) -> Float { transposeB ? b[j * ldb + p] : b[p * ldb + j] }

        func bfloat16Product(alpha: Float, beta: Float, initial: Float? = nil, bias: [Float]? = nil) -> [Float] {
            var result = initial.map { [Float](repeating: $0, count: c.count) } ?? c
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    result.withUnsafeMutableBufferPointer { result in
                        (bias ?? []).withUnsafeBufferPointer { bias in
                            BFloat16Product.multiply(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                                                     a: a.baseAddress!, lda: lda, b: b.baseAddress!, ldb: ldb, beta: beta,
                                                     bias: bias.isEmpty ? nil : bias.baseAddress, c: result.baseAddress!, ldc: ldc)
                        }
                    }
                }
            }
            return (0..<m).flatMap { i in result[(i * ldc)..<(i * ldc + n)] }
        }

        /// α·op(A)·op(B) + β·C in Double, and the magnitude |α|·Σ|a||b| + |β c| that rounding errors scale with.
        func reference(alpha: Float, beta: Float, roundInputs: Bool) -> [(value: Double, magnitude: Double)] {
            let round: (Float) -> Double = { roundInputs ? Double(lectern_bf16_round($0)) : Double($0) }
            return (0..<m).flatMap { i in
                (0..<n).map { j in
                    var sum = 0.0, magnitude = 0.0
                    for p in 0..<k {
                        let product = round(elementA(i, p)) * round(elementB(p, j))
                        sum += product
                        magnitude += abs(product)
                    }
                    let cValue = beta == 0 ? 0 : Double(beta) * Double(c[i * ldc + j])
                    return (Double(alpha) * sum + cValue, abs(Double(alpha)) * magnitude + abs(cValue))
                }
            }
        }
    }
}

/// What `bf16: true` gets on processors this machine is not.
struct BFloat16ChoiceTests {
    @Test func bf16RunsWhereTheCPUHasItAndFallsBackWithANoticeElsewhere() {
        for cpu in [KernelChoiceTests.emeraldRapids, KernelChoiceTests.zen4, KernelChoiceTests.future] {
            #expect(MatrixPrecision.forRequest(bf16: true, on: cpu) == (.bfloat16, nil))
        }
        for cpu in [KernelChoiceTests.iceLake, KernelChoiceTests.laptopAVX2] {
            let choice = MatrixPrecision.forRequest(bf16: true, on: cpu)
            #expect(choice.precision == .float32)
            #expect(choice.notice?.contains("has no AVX512-BF16") == true)
        }
        #expect(MatrixPrecision.forRequest(bf16: false, on: KernelChoiceTests.emeraldRapids) == (.float32, nil))
    }
}
