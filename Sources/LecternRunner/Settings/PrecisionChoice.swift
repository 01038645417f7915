import LecternEngine
import LecternNotebook

/// `bf16`, shared by `train`, `evaluate` and `predict`: the precision a cell asked for, decided once
/// against this CPU when the cell's settings are read, then passed down to the engine.
public struct PrecisionChoice: Sendable {
    /// Absent means `false`; it is not written into the transcript's parameters unless given.
    static let bf16 = Parameter<Bool?>.flag("bf16", "Matrix products on bfloat16 inputs with float32 sums where the CPU has AVX512-BF16, "
                                                + "as `bf16=True` (default: false; float32 elsewhere, with a notice).")

    /// Whether the cell asked for `bf16: true`.
    public let requested: Bool
    /// What this CPU gives the request.
    public let precision: MatrixPrecision
    /// Said in the cell's output when the CPU cannot give what was asked.
    public let notice: String?

    init(_ arguments: DirectiveArguments) {
        requested = arguments[Self.bf16] ?? false
        (precision, notice) = MatrixPrecision.forRequest(bf16: requested)
    }

    /// bf16 results depend on the CPU: a cache made where bf16 ran must not answer where it falls back to float32.
    var cacheKeyParts: [String] { requested ? ["precision:" + precision.rawValue] : [] }

    /// The run header's "Precision" line, naming every cell that asked for bf16.
    var runHeader: [RunHeaderNote] {
        guard requested else { return [] }
        let precision = self.precision
        return [RunHeaderNote(label: "Precision") { cells in
            precision == .bfloat16 ? "bf16 matrix products, float32 sums (AVX512-BF16) in \(cells); float32 elsewhere"
                : "float32 everywhere: \(cells) asked for bf16, but this CPU has no AVX512-BF16"
        }]
    }
}
