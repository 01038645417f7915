/// The rows of a table of parameters (the word embeddings) whose gradient can be non-zero in a
/// step: those of the tokens in the batch. A batch of 8 texts touches a few hundred of the 30,522
/// rows, so zeroing, measuring and applying the gradient can skip the rest of the table, which is
/// half of BERT's parameters. Skipping changes no result: the skipped values are exact zeros.
public struct SparseRows: Sendable, Equatable {
    /// Where the table lies in the flat parameter (and gradient) storage.
    public let table: Range<Int>
    /// Values per row.
    public let width: Int
    /// Rows whose gradient may be non-zero, ascending and distinct.
    public let rows: [Int]

    public init(table: Range<Int>, width: Int, rows: [Int]) {
        precondition(width > 0 && table.count % width == 0)
        self.table = table
        self.width = width
        self.rows = rows
    }

    public var rowCount: Int { table.count / width }

    /// The flat range of row `row`.
    public func range(ofRow row: Int) -> Range<Int> {
        (table.lowerBound + row * width)..<(table.lowerBound + (row + 1) * width)
    }

    /// `rows` as flat ranges, consecutive rows merged.
    public var ranges: [Range<Int>] { Self.runs(of: rows).map { range(ofRow: $0.lowerBound).lowerBound..<range(ofRow: $0.upperBound - 1).upperBound } }

    /// Runs of consecutive values in an ascending list of distinct integers.
    static func runs(of sorted: [Int]) -> [Range<Int>] {
        var runs: [Range<Int>] = []
        for value in sorted {
            if let last = runs.last, last.upperBound == value { runs[runs.count - 1] = last.lowerBound..<(value + 1) } else { runs.append(value..<(value + 1)) }
        }
        return runs
    }
}
