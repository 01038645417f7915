import ArgumentParser
import Foundation
import LecternEngine
import LecternRender
import LecternRunner
import LecternTranscript

/// `lectern doctor`: what this machine gives Lectern (CPU, vector units, BLAS kernels, threads), how
/// fast it multiplies matrices, and what to fix.
struct Doctor: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Describe this machine as Lectern uses it: CPU, vector units, BLAS kernels, threads and matrix-product speed.")

    @OptionGroup var engine: EngineOptions

    @Flag(help: "Start from OpenBLAS's generic Prescott kernels, as OpenBLAS does on a CPU it does not know, and show what Lectern chooses instead.")
    var unknownCPU = false

    @Flag(help: "Print one JSON object (for benchmark reports).")
    var json = false

    func run() throws {
        engine.prepare(asOnAnUnknownCPU: unknownCPU)
        let cpu = CPU.current, kernels = BLAS.kernels
        let speed = MatrixProductSpeed.measure()
        let bf16 = MatrixPrecision.forRequest(bf16: true).precision == .bfloat16 ? MatrixProductSpeed.measure(precision: .bfloat16) : nil
        let lines = [("Lectern", LecternVersion.current), ("Machine", RunFacts.operatingSystem)] + MachineReport.lines()
            + [("Matrix products", String(format: "%.0f GFLOP/s (sgemm, %d×%d×%d, %d threads)", speed.gigaflops, speed.size, speed.size, speed.size, BLAS.threads)),
               ("bf16 products", bf16.map { String(format: "%.0f GFLOP/s (AVX512-BF16, for bf16: true)", $0.gigaflops) }
                ?? "none: this CPU has no AVX512-BF16, so bf16: true runs in float32")]
        if json {
            let report: JSONValue = .object(lines.map { (key: Self.key($0.0), value: .string($0.1)) } + [
                ("cpu_model", .string(cpu.modelName)), ("cpu_family", .int(cpu.family)), ("cpu_model_number", .int(cpu.model)),
                ("features", .array(cpu.features.map { .string($0.rawValue) })),
                ("blas_core", .string(kernels.core)), ("blas_best_core", .string(kernels.best)),
                ("thread_count", .int(BLAS.threads)), ("sgemm_gflops", .double(speed.gigaflops)),
                ("bf16_gflops", bf16.map { .double($0.gigaflops) } ?? .null),
                ("warnings", .array(kernels.warnings.map { .string($0) })), ("notes", .array(kernels.notes.map { .string($0) })),
            ])
            print(report.serialized())
            return
        }
        let width = lines.map(\.0.count).max()!
        for (label, value) in lines { print(label.padding(toLength: width + 2, withPad: " ", startingAt: 0) + value) }
        for warning in kernels.warnings { print("\nwarning: \(warning)") }
        for note in kernels.notes { print("\nnote: \(note)") }
        if kernels.warnings.isEmpty { print("\nThe kernels passed the product check and suit this CPU.") }
    }

    static func key(_ label: String) -> String { label.lowercased().replacingOccurrences(of: " ", with: "_") }
}
