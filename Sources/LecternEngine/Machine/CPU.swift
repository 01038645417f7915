import CCPUID
import Foundation

/// The processor the engine runs on: its name and the vector instructions it can use (CPUID, with
/// the operating system's consent for the wider registers).
public struct CPU: Sendable {
    public let vendor: String
    /// The model name, as `lscpu` shows it ("AMD EPYC", "Intel(R) Xeon(R) Platinum 8581C CPU @ 2.10GHz").
    public let modelName: String
    public let family: Int
    public let model: Int
    /// The vector instruction sets present, in the order of `Feature.allCases`.
    public let features: [Feature]
    /// The widest kind of vector arithmetic available, which decides the BLAS kernels.
    public let level: VectorLevel

    /// The processor this process runs on.
    public static let current = CPU(identified: {
        var cpu = lectern_cpu()
        lectern_cpu_identify(&cpu)
        return cpu
    }())

    /// Vector instruction sets that matter for the engine's speed.
    public enum Feature: String, CaseIterable, Sendable {
        case avx = "AVX", avx2 = "AVX2", fma = "FMA", avx512 = "AVX-512", avx512bf16 = "AVX512-BF16", avx512fp16 = "AVX512-FP16", amx = "AMX"
    }

    /// Kinds of vector arithmetic, from the oldest: what a BLAS kernel needs and a CPU offers.
    public enum VectorLevel: Int, Comparable, Sendable, CustomStringConvertible {
        case sse, avx, avx2, avx512, avx512bf16

        public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

        public var description: String {
            switch self {
            case .sse: "SSE only"
            case .avx: "AVX"
            case .avx2: "AVX2 and FMA"
            case .avx512: "AVX-512"
            case .avx512bf16: "AVX-512 with BF16"
            }
        }
    }

    init(identified cpu: lectern_cpu) {
        var cpu = cpu
        vendor = Self.text(&cpu.vendor)
        let brand = Self.text(&cpu.brand).split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        modelName = brand.isEmpty ? "unknown processor" : brand
        family = Int(cpu.family)
        model = Int(cpu.model)
        // AVX-512 as OpenBLAS's SkylakeX kernels use it: the foundation plus the byte/word,
        // doubleword/quadword and vector-length extensions.
        let avx512 = cpu.avx512f && cpu.avx512dq && cpu.avx512cd && cpu.avx512bw && cpu.avx512vl
        let present: [Feature: Bool] = [
            .avx: cpu.avx, .avx2: cpu.avx2, .fma: cpu.fma, .avx512: avx512, .avx512bf16: avx512 && cpu.avx512_bf16,
            .avx512fp16: avx512 && cpu.avx512_fp16, .amx: cpu.amx_tile && cpu.amx_bf16,
        ]
        features = Feature.allCases.filter { present[$0] == true }
        level = if avx512 && cpu.avx512_bf16 { .avx512bf16 } else if avx512 { .avx512 }
            else if cpu.avx2 && cpu.fma { .avx2 } else if cpu.avx { .avx } else { .sse }
    }

    public func has(_ feature: Feature) -> Bool { features.contains(feature) }

    /// "AMD EPYC (AMD family 26, model 2)".
    public var description: String {
        let maker = vendor == "GenuineIntel" ? "Intel" : vendor == "AuthenticAMD" ? "AMD" : vendor
        return "\(modelName) (\(maker) family \(family), model \(model))"
    }

    /// "AVX2, FMA, AVX-512, AVX512-BF16; no AMX": what is there, and what of the list is not.
    public var featureSummary: String {
        let missing = Feature.allCases.filter { !has($0) && $0 != .avx }
        let present = features.filter { $0 != .avx }.map(\.rawValue).joined(separator: ", ")
        let absent = missing.isEmpty ? "" : "no " + missing.map(\.rawValue).joined(separator: ", ")
        return [present.isEmpty ? (has(.avx) ? "AVX" : "SSE only") : present, absent].filter { !$0.isEmpty }.joined(separator: "; ")
    }

    private static func text<T>(_ field: inout T) -> String {
        withUnsafeBytes(of: &field) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            .trimmingCharacters(in: .whitespaces)
    }
}
