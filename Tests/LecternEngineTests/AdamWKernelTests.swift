import CKernels
import Foundation
import Testing
@testable import LecternEngine

/// The AdamW update's vector kernels against the formula computed one value at a time, each
/// operation rounded to float32 in torch's order: the same bits, for every count (vector body and
/// tail), clipping scale and weight decay.
struct AdamWKernelTests {
    static func formula(_ p: inout [Float], _ g: [Float], _ m: inout [Float], _ v: inout [Float], _ s: lectern_adamw_step) {
        for index in p.indices {
            let gradient = g[index] * s.gradient_scale
            let first = s.beta1 * m[index] + s.one_minus_beta1 * gradient
            let second = s.beta2 * v[index] + s.one_minus_beta2 * gradient * gradient
            var parameter = p[index] * s.shrink
            parameter -= s.step_size * first / (second.squareRoot() / s.correction2_root + s.epsilon)
            (p[index], m[index], v[index]) = (parameter, first, second)
        }
    }

    typealias Kernel = @convention(c) (UnsafeMutablePointer<Float>?, UnsafePointer<Float>?, UnsafeMutablePointer<Float>?,
                                       UnsafeMutablePointer<Float>?, Int, UnsafePointer<lectern_adamw_step>?) -> Void

    /// The variants this CPU can run.
    static var kernels: [(name: String, kernel: Kernel)] {
        [("AVX2", lectern_adamw_avx2)] + (CPU.current.has(.avx512) ? [("AVX-512", lectern_adamw_avx512)] : [])
    }

    @Test(arguments: [1, 7, 8, 15, 16, 17, 100, 1_003])
    func everyVariantIsTheFormulaBitForBit(count: Int) {
        var generator = SplitMix64(seed: UInt64(count))
        let g = (0..<count).map { _ in 0.1 * generator.normal() }
        let p0 = (0..<count).map { _ in generator.normal() }
        let m0 = (0..<count).map { _ in 0.01 * generator.normal() }
        let v0 = (0..<count).map { _ in 1e-4 * abs(generator.normal()) }
        for (shrink, scale) in [(Float(1), Float(1)), (1 - 5e-5 * 0.01, 0.37)] {
            let step = lectern_adamw_step(beta1: 0.9, one_minus_beta1: 1 - 0.9, beta2: 0.999, one_minus_beta2: 1 - 0.999, epsilon: 1e-8,
                                          shrink: shrink, step_size: 5e-5 / 0.19, correction2_root: Float(1 - pow(0.999, 2.0)).squareRoot(),
                                          gradient_scale: scale)
            var (p, m, v) = (p0, m0, v0)
            Self.formula(&p, g, &m, &v, step)
            for (name, kernel) in Self.kernels {
                var (pk, mk, vk) = (p0, m0, v0)
                var constants = step
                kernel(&pk, g, &mk, &vk, count, &constants)
                #expect(pk.map(\.bitPattern) == p.map(\.bitPattern), "\(name) parameters")
                #expect(mk.map(\.bitPattern) == m.map(\.bitPattern), "\(name) first moment")
                #expect(vk.map(\.bitPattern) == v.map(\.bitPattern), "\(name) second moment")
            }
        }
    }
}
