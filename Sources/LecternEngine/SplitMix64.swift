import Foundation

/// The engine's seeded random stream (SplitMix64): weight initialisation, the epoch shuffle and
/// dropout masks all draw from it, so a seed fixes every random choice of a run. The tests draw
/// repeatable mutations from it too, as a `RandomNumberGenerator`.
struct SplitMix64: RandomNumberGenerator {
    /// The state before the next draw (vector kernels compute the stream's draws from it).
    private(set) var state: UInt64
    private var spareNormal: Float?

    init(seed: UInt64) { state = seed }

    mutating func nextUInt64() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func next() -> UInt64 { nextUInt64() }

    /// Moves the stream past `draws` values of `nextUInt64()` at once (each draw adds the same constant to the state).
    mutating func skip(_ draws: Int) { state &+= UInt64(draws) &* 0x9E37_79B9_7F4A_7C15 }

    /// Uniform in (0, 1].
    mutating func uniform() -> Double { (Double(nextUInt64() >> 11) + 1) / 9_007_199_254_740_992 }

    /// A standard normal number (Box–Muller, two per pair of draws).
    mutating func normal() -> Float {
        if let spare = spareNormal { spareNormal = nil; return spare }
        let radius = (-2 * Foundation.log(uniform())).squareRoot()
        let angle = 2 * Double.pi * uniform()
        spareNormal = Float(radius * sin(angle))
        return Float(radius * cos(angle))
    }
}
