/// Vectorised exp and erf over SIMD16<Float> (AVX-512 with the native-target flags), for the
/// activation and softmax kernels. Accuracy is a few ulp for exp and under 5e-7 absolute for erf,
/// well inside the tolerances the parity tests hold against PyTorch.
typealias Float16x = SIMD16<Float>

/// e^x: x = n·ln2 + r with |r| ≤ ln2/2, a degree-6 polynomial for e^r, and 2^n built in the exponent bits.
/// Rounding and the float-to-integer step use the 1.5·2²³ trick, since Swift's generic SIMD
/// conversions and `rounded` do not compile to vector instructions.
@inline(__always)
func vectorExp(_ x: Float16x) -> Float16x {
    var clamped = x.replacing(with: -87.3, where: x .< -87.3)
    clamped = clamped.replacing(with: 88.3, where: clamped .> 88.3)
    let magic: Float = 12_582_912  // 1.5 · 2²³: adding it rounds to an integer held in the low mantissa bits.
    let shifted = clamped * 1.442_695_04 + magic
    let n = shifted - magic
    // Cody–Waite: ln2 split in two so that r keeps its low bits.
    var r = clamped - n * 0.693_359_375
    r = r - n * -2.121_944_4e-4
    var p = Float16x(repeating: 1.987_569_1e-4)
    p = p * r + 1.398_199_9e-3
    p = p * r + 8.333_452e-3
    p = p * r + 4.166_579_6e-2
    p = p * r + 0.166_666_66
    p = p * r + 0.5
    p = p * r * r + r + 1
    let scale = (shifted.bitPattern &- 0x4B40_0000 &+ 127) &<< 23
    return p * Float16x(bitPattern: scale)
}

/// erf(x) by Abramowitz & Stegun 7.1.26 refined: 1 − t·P(t)·e^(−x²), t = 1/(1 + p|x|), with the sign restored.
@inline(__always)
func vectorErf(_ x: Float16x) -> Float16x {
    let a = abs(x)
    let t = 1 / (1 + 0.327_591_1 * a)
    var poly = Float16x(repeating: 1.061_405_429)
    poly = poly * t - 1.453_152_027
    poly = poly * t + 1.421_413_741
    poly = poly * t - 0.284_496_736
    poly = poly * t + 0.254_829_592
    let y = 1 - poly * t * vectorExp(-a * a)
    return Float16x(bitPattern: y.bitPattern | (x.bitPattern & 0x8000_0000))
}

extension SIMD16 where Scalar == Float {
    @inline(__always)
    init(bitPattern bits: SIMD16<UInt32>) {
        self = unsafeBitCast(bits, to: SIMD16<Float>.self)
    }

    @inline(__always)
    var bitPattern: SIMD16<UInt32> { unsafeBitCast(self, to: SIMD16<UInt32>.self) }
}

@inline(__always)
func abs(_ x: Float16x) -> Float16x { Float16x(bitPattern: x.bitPattern & 0x7FFF_FFFF) }
