/// NumPy's `SeedSequence`: turns a seed into well-mixed state words, bit for bit as
/// `numpy.random.SeedSequence(seed).generate_state(n)` does (pool of four 32-bit words).
struct SeedSequence {
    private(set) var pool: [UInt32] = [UInt32](repeating: 0, count: 4)

    private static let initA: UInt32 = 0x43b0_d7e5
    private static let multA: UInt32 = 0x931e_8875
    private static let initB: UInt32 = 0x8b51_f9dd
    private static let multB: UInt32 = 0x58f3_8ded
    private static let mixMultL: UInt32 = 0xca01_f9dd
    private static let mixMultR: UInt32 = 0x4973_f715
    private static let xshift: UInt32 = 16

    init(seed: UInt64) {
        // NumPy splits an integer seed into 32-bit words, least significant first.
        var entropy: [UInt32] = [UInt32(truncatingIfNeeded: seed)]
        if seed >> 32 != 0 { entropy.append(UInt32(truncatingIfNeeded: seed >> 32)) }
        mixEntropy(entropy)
    }

    private mutating func mixEntropy(_ entropy: [UInt32]) {
        var hashConst = Self.initA
        func hashmix(_ value: UInt32) -> UInt32 {
            var value = value ^ hashConst
            hashConst = hashConst &* Self.multA
            value = value &* hashConst
            return value ^ (value >> Self.xshift)
        }
        func mix(_ x: UInt32, _ y: UInt32) -> UInt32 {
            let result = Self.mixMultL &* x &- Self.mixMultR &* y
            return result ^ (result >> Self.xshift)
        }
        for i in pool.indices {
            pool[i] = hashmix(i < entropy.count ? entropy[i] : 0)
        }
        for source in pool.indices {
            for destination in pool.indices where source != destination {
                pool[destination] = mix(pool[destination], hashmix(pool[source]))
            }
        }
        for source in pool.count..<max(pool.count, entropy.count) {
            for destination in pool.indices {
                pool[destination] = mix(pool[destination], hashmix(entropy[source]))
            }
        }
    }

    /// `generate_state(count, np.uint64)`: pairs of 32-bit words, little-endian.
    func generateState64(_ count: Int) -> [UInt64] {
        var hashConst = Self.initB
        var words: [UInt32] = []
        for index in 0..<(2 * count) {
            var value = pool[index % pool.count] ^ hashConst
            hashConst = hashConst &* Self.multB
            value = value &* hashConst
            words.append(value ^ (value >> Self.xshift))
        }
        return (0..<count).map { UInt64(words[2 * $0]) | UInt64(words[2 * $0 + 1]) << 32 }
    }
}
