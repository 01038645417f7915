import CCPUID
import Foundation
import Testing
@testable import LecternEngine

/// Lectern's choice of OpenBLAS kernels, for processors this machine is not: the decision is a
/// function of CPUID's answers, OPENBLAS_CORETYPE and OpenBLAS's own pick.
struct KernelChoiceTests {
    /// A processor as CPUID would describe it.
    static func cpu(_ vendor: String, family: Int32, model: Int32, _ features: Set<String>) -> CPU {
        var raw = lectern_cpu()
        withUnsafeMutableBytes(of: &raw.vendor) { $0.copyBytes(from: Array(vendor.utf8).prefix(12)) }
        raw.family = family
        raw.model = model
        raw.sse3 = true
        raw.avx = features.contains("avx")
        raw.avx2 = features.contains("avx2")
        raw.fma = features.contains("avx2")
        let avx512 = features.contains("avx512")
        (raw.avx512f, raw.avx512dq, raw.avx512cd, raw.avx512bw, raw.avx512vl) = (avx512, avx512, avx512, avx512, avx512)
        raw.avx512_bf16 = features.contains("bf16")
        raw.amx_tile = features.contains("amx")
        raw.amx_bf16 = features.contains("amx")
        return CPU(identified: raw)
    }

    static let emeraldRapids = cpu("GenuineIntel", family: 6, model: 207, ["avx", "avx2", "avx512", "bf16", "amx"])
    static let zen4 = cpu("AuthenticAMD", family: 25, model: 17, ["avx", "avx2", "avx512", "bf16"])
    static let iceLake = cpu("GenuineIntel", family: 6, model: 106, ["avx", "avx2", "avx512"])
    static let laptopAVX2 = cpu("GenuineIntel", family: 6, model: 142, ["avx", "avx2"])
    static let ryzenAVX2 = cpu("AuthenticAMD", family: 23, model: 113, ["avx", "avx2"])
    static let oldSSE = cpu("GenuineIntel", family: 6, model: 23, [])
    /// A processor no table knows yet: only its vector units tell what it can run.
    static let future = cpu("GenuineIntel", family: 19, model: 1, ["avx", "avx2", "avx512", "bf16", "amx"])

    @Test func featuresDecideTheLevel() {
        #expect(Self.emeraldRapids.level == .avx512bf16)
        #expect(Self.emeraldRapids.featureSummary == "AVX2, FMA, AVX-512, AVX512-BF16, AMX; no AVX512-FP16")
        #expect(Self.iceLake.level == .avx512)
        #expect(Self.laptopAVX2.level == .avx2)
        #expect(Self.oldSSE.level == .sse)
        #expect(Self.oldSSE.featureSummary == "SSE only; no AVX2, FMA, AVX-512, AVX512-BF16, AVX512-FP16, AMX")
    }

    /// The machine: OpenBLAS 0.3.21 does not know family 6 model 207 and picks Prescott.
    @Test(arguments: [(emeraldRapids, "Cooperlake"), (future, "Cooperlake"), (zen4, "Cooperlake"), (iceLake, "SkylakeX"),
                      (laptopAVX2, "Haswell"), (ryzenAVX2, "Zen")])
    func aGenericChoiceIsReplacedByTheBestForTheFeatures(cpu: CPU, best: String) {
        let plan = BLASKernels.plan(for: cpu, forced: nil, libraryChoice: "Prescott")
        #expect(plan.switchTo == best)
        #expect(plan.origin == .lectern(replacing: "Prescott"))
        #expect(plan.warnings.isEmpty && plan.notes.isEmpty)
    }

    @Test func aGoodChoiceOfOpenBLASIsKept() {
        #expect(BLASKernels.plan(for: Self.zen4, forced: nil, libraryChoice: "Cooperlake") == .init(switchTo: nil, origin: .openBLAS))
        // Same level, OpenBLAS's own pairing of kernels and caches.
        #expect(BLASKernels.plan(for: Self.zen4, forced: nil, libraryChoice: "SkylakeX").switchTo == "Cooperlake")
        #expect(BLASKernels.plan(for: Self.ryzenAVX2, forced: nil, libraryChoice: "Haswell").switchTo == nil)
        // A kernel set newer than Lectern's table is OpenBLAS's business.
        #expect(BLASKernels.plan(for: Self.future, forced: nil, libraryChoice: "GraniteRapids").switchTo == nil)
        // On a processor with nothing better, Prescott is right.
        #expect(BLASKernels.plan(for: Self.oldSSE, forced: nil, libraryChoice: "Prescott").switchTo == nil)
        #expect(BLASKernels.plan(for: Self.oldSSE, forced: nil, libraryChoice: "Core2").switchTo == nil)
    }

    @Test func theUsersChoiceWinsWithANoteWhenItIsSlower() {
        let plan = BLASKernels.plan(for: Self.emeraldRapids, forced: "HASWELL", libraryChoice: "Haswell")
        #expect(plan.switchTo == nil)
        #expect(plan.origin == .environment)
        #expect(plan.warnings.isEmpty)
        #expect(plan.notes == ["OPENBLAS_CORETYPE=HASWELL keeps OpenBLAS on its Haswell kernels (AVX2 and FMA); this CPU can run its Cooperlake "
            + "kernels (AVX-512 with BF16), which multiply matrices faster. Unset OPENBLAS_CORETYPE to use them."])
        #expect(BLASKernels.plan(for: Self.zen4, forced: "cooperlake", libraryChoice: "Cooperlake") == .init(switchTo: nil, origin: .environment))
    }

    @Test func aForcedGenericCoreIsKeptAndWarnedAbout() throws {
        let plan = BLASKernels.plan(for: Self.emeraldRapids, forced: "PRESCOTT", libraryChoice: "Prescott")
        #expect(plan.switchTo == nil && plan.origin == .environment)
        let warning = try #require(BLASKernels.genericWarning(core: "Prescott", cpu: Self.emeraldRapids, best: OpenBLASCore.best(for: Self.emeraldRapids),
                                                              reason: .forced("PRESCOTT")))
        #expect(warning.hasPrefix("OpenBLAS runs its generic Prescott kernels, because OPENBLAS_CORETYPE=PRESCOTT asks for them"))
        #expect(warning.hasSuffix("Fix: unset OPENBLAS_CORETYPE"))
        #expect(BLASKernels.genericWarning(core: "Prescott", cpu: Self.oldSSE, best: OpenBLASCore.best(for: Self.oldSSE), reason: .forced("PRESCOTT")) == nil)
        #expect(BLASKernels.genericWarning(core: "Haswell", cpu: Self.zen4, best: OpenBLASCore.best(for: Self.zen4), reason: .forced("HASWELL")) == nil)
    }

    /// Kernels the CPU cannot execute would stop the run with an illegal instruction.
    @Test func aForcedCoreTheCPUCannotRunIsReplaced() {
        let plan = BLASKernels.plan(for: Self.laptopAVX2, forced: "SKYLAKEX", libraryChoice: "SkylakeX")
        #expect(plan.switchTo == "Haswell")
        #expect(plan.warnings == ["OPENBLAS_CORETYPE=SKYLAKEX asks for kernels that need AVX-512, which this CPU lacks; Lectern uses Haswell instead. "
            + "Fix: unset OPENBLAS_CORETYPE"])
    }

    @Test func anUnknownCoreNameIsTreatedAsUnset() {
        let plan = BLASKernels.plan(for: Self.emeraldRapids, forced: "Skylake-X", libraryChoice: "Prescott")
        #expect(plan.switchTo == "Cooperlake")
        #expect(plan.notes == ["OPENBLAS_CORETYPE=Skylake-X names no kernel set this OpenBLAS knows, so Lectern chose as if it were not set."])
    }

    @Test func theFallbackLadderDescendsThroughWhatTheCPUHas() {
        #expect(OpenBLASCore.ladder(for: Self.emeraldRapids).map(\.name) == ["Cooperlake", "SkylakeX", "Haswell", "Sandybridge", "Prescott"])
        #expect(OpenBLASCore.ladder(for: Self.ryzenAVX2).map(\.name) == ["Zen", "Sandybridge", "Prescott"])
    }

    /// This machine's answers against the kernel's own reading of CPUID (/proc/cpuinfo's flags).
    @Test func cpuidAgreesWithProcCpuinfo() throws {
        let text = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let flagsLine = try #require(text.split(separator: "\n").first { $0.hasPrefix("flags") })
        let flags = Set(flagsLine.split(separator: ":")[1].split(separator: " ").map(String.init))
        let modelName = text.split(separator: "\n").first { $0.hasPrefix("model name") }?.split(separator: ":", maxSplits: 1)[1]
        let cpu = CPU.current
        #expect(cpu.modelName == modelName?.split(separator: " ").joined(separator: " "))
        #expect(cpu.has(.avx2) == flags.contains("avx2"))
        #expect(cpu.has(.fma) == flags.contains("fma"))
        #expect(cpu.has(.avx512) == ["avx512f", "avx512dq", "avx512cd", "avx512bw", "avx512vl"].allSatisfy(flags.contains))
        #expect(cpu.has(.avx512bf16) == (cpu.has(.avx512) && flags.contains("avx512_bf16")))
        #expect(cpu.has(.amx) == (flags.contains("amx_tile") && flags.contains("amx_bf16")))
    }

    /// The kernels in use (Lectern's choice, or the user's) pass the check the engine runs at start.
    @Test func theKernelsInUsePassTheProductCheck() {
        #expect(BLAS.kernels.warnings.allSatisfy { !$0.contains("wrongly") })
        #expect(ProductCheck.firstFailure() == nil)
        #expect(OpenBLASCore.named(BLAS.kernels.core) != nil)
    }
}
