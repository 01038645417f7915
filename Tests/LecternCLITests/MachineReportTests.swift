import Foundation
import LecternTestSupport
import Testing

/// The machine report in `lectern doctor` and the transcript: which kernels run, who chose them,
/// and the warning when they are generic.
struct MachineReportTests {
    let folder = ScratchFolder()

    init() {
        folder.writeTinyNews()
        folder.write("lesson.md", "---\ntitle: Tiny\n---\n\n```load\ndataset: tiny_news\nsplit: train\ntest_size: 0.25\n```\n")
    }

    func run(_ arguments: [String], coreType: String?) throws -> LecternProcess.Result {
        // OPENBLAS_CORETYPE is the user's; an empty value counts as unset.
        try LecternProcess.run(arguments, in: folder.path, environment: ["OPENBLAS_CORETYPE": coreType ?? ""])
    }

    func runInfo(_ json: String) throws -> [String: Any] {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        return try #require(object["run"] as? [String: Any])
    }

    static let cpuFlags: Set<String> = {
        let text = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let line = text.split(separator: "\n").first { $0.hasPrefix("flags") } ?? ""
        return Set(line.split(separator: ":").last?.split(separator: " ").map(String.init) ?? [])
    }()

    /// How a test simulates a CPU OpenBLAS does not know, on any machine.
    @Test func forcedGenericKernelsAreWarnedAboutInTheTerminalAndTheTranscript() throws {
        let result = try run(["run", "lesson.md", "--template", LecternProcess.template, "--quiet"], coreType: "PRESCOTT")
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardError.contains("warning: OpenBLAS runs its generic Prescott kernels, because OPENBLAS_CORETYPE=PRESCOTT asks for them"))
        #expect(result.standardError.contains("Fix: unset OPENBLAS_CORETYPE"))
        let json = try #require(folder.read("output/lesson.json"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let warnings = try #require(object["warnings"] as? [String])
        #expect(warnings.count == 1 && warnings[0].contains("generic Prescott kernels"))
        #expect((try runInfo(json))["blas"] as? String == "OpenBLAS 0.3.21, Prescott kernels, set by OPENBLAS_CORETYPE")
        #expect(folder.read("output/lesson.html")?.contains("<div class=\"banner warning\" role=\"alert\"><strong>Warning:</strong> OpenBLAS runs its generic Prescott") == true)
        #expect(folder.read("output/lesson.md")?.contains("> [!WARNING]\n> OpenBLAS runs its generic Prescott kernels") == true)
    }

    @Test func withoutASettingTheHeaderNeverNamesAGenericCore() throws {
        try #require(Self.cpuFlags.contains("avx2"), "this test needs a CPU with AVX2")
        let result = try run(["run", "lesson.md", "--template", LecternProcess.template, "--quiet"], coreType: nil)
        #expect(result.status == 0)
        #expect(!result.standardError.contains("warning"))
        let info = try runInfo(try #require(folder.read("output/lesson.json")))
        let blas = try #require(info["blas"] as? String)
        let expected = Self.cpuFlags.contains("avx512_bf16") ? "Cooperlake" : Self.cpuFlags.contains("avx512f") ? "SkylakeX" : nil
        if let expected { #expect(blas.hasPrefix("OpenBLAS 0.3.21, \(expected) kernels"), "\(blas)") }
        for generic in ["Prescott", "Core2", "Nehalem", "Sandybridge"] { #expect(!blas.contains(generic) || blas.contains("OpenBLAS picked \(generic)")) }
        #expect((info["cpu"] as? String)?.contains("core") == true)
        #expect((info["vector_units"] as? String)?.contains("AVX2") == true)
        #expect(info["threads"] as? String == "\(ProcessInfo.processInfo.activeProcessorCount) (every core)")
    }

    /// What happens on a CPU OpenBLAS does not know (the Emerald Rapids): Lectern replaces Prescott.
    @Test func onAnUnknownCPULecternReplacesThePrescottKernels() throws {
        try #require(Self.cpuFlags.contains("avx2"), "this test needs a CPU with AVX2")
        let result = try run(["doctor", "--unknown-cpu"], coreType: nil)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("kernels, chosen by Lectern (OpenBLAS picked Prescott)"), "\(result.standardOutput)")
        #expect(result.standardOutput.contains("The kernels passed the product check and suit this CPU."))
        #expect(!result.standardOutput.contains("warning"))
    }

    @Test func theUsersCoreTypeIsKept() throws {
        try #require(Self.cpuFlags.contains("avx2"), "this test needs a CPU with AVX2")
        let result = try run(["doctor", "--json"], coreType: "haswell")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        #expect(report["blas_core"] as? String == "Haswell")
        #expect(report["blas"] as? String == "OpenBLAS 0.3.21, Haswell kernels, set by OPENBLAS_CORETYPE")
        #expect((report["warnings"] as? [String])?.isEmpty == true)
        let notes = try #require(report["notes"] as? [String])
        #expect(notes.isEmpty == !Self.cpuFlags.contains("avx512f"))
        #expect((report["sgemm_gflops"] as? Double ?? 0) > 1)
        // bfloat16 products are measured where the CPU has them (bf16: true), and said to be absent elsewhere.
        if Self.cpuFlags.contains("avx512_bf16") {
            #expect((report["bf16_gflops"] as? Double ?? 0) > 1)
        } else {
            #expect(report["bf16_gflops"] is NSNull)
            #expect((report["bf16_products"] as? String)?.hasPrefix("none: this CPU has no AVX512-BF16") == true)
        }
    }

    @Test func threadsAreSetAndRecorded() throws {
        let result = try run(["run", "lesson.md", "--template", LecternProcess.template, "--quiet", "--threads", "1"], coreType: nil)
        #expect(result.status == 0, "\(result.standardError)")
        let info = try runInfo(try #require(folder.read("output/lesson.json")))
        let cores = ProcessInfo.processInfo.activeProcessorCount
        #expect(info["threads"] as? String == (cores == 1 ? "1 (every core)" : "1 of \(cores) cores"))
        let zero = try run(["run", "lesson.md", "--threads", "0"], coreType: nil)
        #expect(zero.status == 64)
        #expect(zero.standardError.contains("--threads must be 1 or more, but it is 0."))
    }
}
