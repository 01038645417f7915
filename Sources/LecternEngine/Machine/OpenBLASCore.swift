/// OpenBLAS's kernel sets for x86-64 ("cores"), by the name OPENBLAS_CORETYPE and
/// `openblas_get_corename()` use, with the vector arithmetic each one needs.
struct OpenBLASCore: Equatable, Sendable {
    let name: String
    let level: CPU.VectorLevel

    /// The kernel sets OpenBLAS 0.3.x builds with DYNAMIC_ARCH (SapphireRapids from 0.3.22 on).
    static let known: [OpenBLASCore] = {
        let sse = ["Katmai", "Coppermine", "Northwood", "Prescott", "Banias", "Atom", "Core2", "Penryn", "Dunnington",
                   "Nehalem", "Athlon", "Opteron", "Opteron_SSE3", "Barcelona", "Nano", "Bobcat"]
        let avx = ["Sandybridge", "Bulldozer", "Piledriver", "Steamroller", "Excavator"]
        return sse.map { OpenBLASCore(name: $0, level: .sse) } + avx.map { OpenBLASCore(name: $0, level: .avx) }
            + [OpenBLASCore(name: "Haswell", level: .avx2), OpenBLASCore(name: "Zen", level: .avx2),
               OpenBLASCore(name: "SkylakeX", level: .avx512), OpenBLASCore(name: "Cooperlake", level: .avx512bf16),
               OpenBLASCore(name: "SapphireRapids", level: .avx512bf16)]
    }()

    static let prescott = OpenBLASCore(name: "Prescott", level: .sse)

    /// The kernel set of that name (OpenBLAS compares names without regard to case); nil for a name
    /// this table does not know, such as a core a newer OpenBLAS adds.
    static func named(_ name: String) -> OpenBLASCore? {
        known.first { $0.name.lowercased() == name.lowercased() }
    }

    /// The fastest kernel set for a processor's vector arithmetic, whether or not OpenBLAS knows
    /// the processor by name: its table of models ends with the CPUs of its release, and newer
    /// ones would otherwise get the generic SSE kernels.
    static func best(for cpu: CPU) -> OpenBLASCore {
        best(for: cpu.level, amd: cpu.vendor == "AuthenticAMD" || cpu.vendor == "HygonGenuine")
    }

    static func best(for level: CPU.VectorLevel, amd: Bool) -> OpenBLASCore {
        switch level {
        case .avx512bf16: named("Cooperlake")!
        case .avx512: named("SkylakeX")!
        // Same AVX2 kernels; OpenBLAS itself pairs Zen's blocking with AMD's caches.
        case .avx2: named(amd ? "Zen" : "Haswell")!
        case .avx: named("Sandybridge")!
        case .sse: prescott
        }
    }

    /// The kernel sets to try, best first, when one computes wrong products: one per level the CPU has.
    static func ladder(for cpu: CPU) -> [OpenBLASCore] {
        let amd = cpu.vendor == "AuthenticAMD" || cpu.vendor == "HygonGenuine"
        return (0...cpu.level.rawValue).reversed().map { best(for: CPU.VectorLevel(rawValue: $0)!, amd: amd) }
    }
}
