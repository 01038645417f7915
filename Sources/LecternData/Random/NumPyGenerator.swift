/// NumPy's default generator, `numpy.random.default_rng(seed)`: PCG64 (XSL-RR output)
/// seeded through `SeedSequence`. Only what `datasets` needs to split data: `permutation(n)`.
public struct NumPyGenerator {
    private var state: UInt128 = 0
    private let increment: UInt128
    // PCG64 buffers the high half of a 64-bit draw for the next 32-bit draw.
    private var bufferedUInt32: UInt32?

    private static let multiplier: UInt128 = UInt128(2_549_297_995_355_413_924) << 64 | UInt128(4_865_540_595_714_422_341)

    public init(seed: UInt64) {
        let words = SeedSequence(seed: seed).generateState64(4)
        let initialState = UInt128(words[0]) << 64 | UInt128(words[1])
        let sequence = UInt128(words[2]) << 64 | UInt128(words[3])
        increment = sequence << 1 | 1
        step()
        state &+= initialState
        step()
    }

    private mutating func step() {
        state = state &* Self.multiplier &+ increment
    }

    /// `bit_generator.random_raw()`: the next 64-bit output.
    public mutating func nextUInt64() -> UInt64 {
        step()
        let rotation = UInt64(truncatingIfNeeded: state >> 122)
        let folded = UInt64(truncatingIfNeeded: state >> 64) ^ UInt64(truncatingIfNeeded: state)
        return folded >> rotation | folded << ((0 &- rotation) & 63)
    }

    mutating func nextUInt32() -> UInt32 {
        if let buffered = bufferedUInt32 {
            bufferedUInt32 = nil
            return buffered
        }
        let next = nextUInt64()
        bufferedUInt32 = UInt32(truncatingIfNeeded: next >> 32)
        return UInt32(truncatingIfNeeded: next)
    }

    /// A uniform integer in `0...max` by masked rejection, as NumPy's `random_interval`.
    mutating func interval(_ max: UInt64) -> UInt64 {
        if max == 0 { return 0 }
        var mask = max
        for shift in [1, 2, 4, 8, 16, 32] as [UInt64] { mask |= mask >> shift }
        if max <= UInt64(UInt32.max) {
            while true {
                let value = UInt64(nextUInt32()) & mask
                if value <= max { return value }
            }
        }
        while true {
            let value = nextUInt64() & mask
            if value <= max { return value }
        }
    }

    /// `Generator.permutation(n)`: a Fisher-Yates shuffle of `0..<n` from the last element down.
    public mutating func permutation(_ count: Int) -> [Int] {
        var values = Array(0..<count)
        var index = count - 1
        while index >= 1 {
            let other = Int(interval(UInt64(index)))
            values.swapAt(index, other)
            index -= 1
        }
        return values
    }
}
