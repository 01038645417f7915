import Foundation

/// Everything a run produced, ready to render as HTML, Markdown or JSON.
/// It knows cells, tables and logs; it knows nothing of BERT or datasets.
public struct Transcript: Sendable {
    public enum Status: String, Sendable {
        case ok
        /// A cell failed while running.
        case error
        /// The notebook did not pass validation, so nothing ran.
        case invalid
        /// The user stopped the run (Ctrl-C, SIGTERM); `lectern run --resume` continues it.
        case interrupted
        /// A live view while the cells run (`lectern preview`): the cells done so far, the one running and
        /// those to come. Never written to a file.
        case running
    }

    public var title: String
    /// The notebook's path as given on the command line.
    public var notebook: String
    public var status: Status
    /// Parameters used, in the notebook's order.
    public var parameters: [Parameter]
    /// Facts that make the run reproducible (Lectern version, seed, machine, ...), in display order.
    public var runInfo: [(label: String, value: String)]
    public var startedAt: Date
    public var seconds: Double
    public var cells: [Cell]
    /// Problems found before anything ran, one paragraph each.
    public var diagnostics: [String]
    /// About the run as a whole, shown above the first cell: what a reader must see (such as slow
    /// generic kernels, with the fix) ...
    public var warnings: [String] = []
    /// The values woven into the prose (`${...}`), in document order.
    public var woven: [WovenValue] = []

    /// A value quoted in the prose: the reference as written, the text it became (nil: missing), and where it came from.
    public struct WovenValue: Sendable, Equatable {
        public var reference: String
        public var value: String?
        public var source: String
        public var line: Int

        public init(reference: String, value: String?, source: String, line: Int) {
            self.reference = reference
            self.value = value
            self.source = source
            self.line = line
        }
    }
    /// ... and what is worth knowing (such as a slower setting the user chose).
    public var notes: [String] = []

    public init(title: String, notebook: String, status: Status, parameters: [Parameter], runInfo: [(label: String, value: String)],
                startedAt: Date, seconds: Double, cells: [Cell], diagnostics: [String]) {
        self.title = title
        self.notebook = notebook
        self.status = status
        self.parameters = parameters
        self.runInfo = runInfo
        self.startedAt = startedAt
        self.seconds = seconds
        self.cells = cells
        self.diagnostics = diagnostics
    }

    public struct Parameter: Sendable {
        public var name: String
        public var value: JSONValue
        /// Where the value came from: "front matter", a parameters file, "--set".
        public var source: String

        public init(name: String, value: JSONValue, source: String) {
            self.name = name
            self.value = value
            self.source = source
        }
    }

    public struct Heading: Sendable {
        public var level: Int
        public var text: String

        public init(level: Int, text: String) {
            self.level = level
            self.text = text
        }
    }

    public enum Cell: Sendable {
        case prose(markdown: String, html: String, headings: [Heading])
        case code(language: String, source: String)
        case directive(DirectiveRecord)
    }

    /// The directive cells, in order.
    public var directiveRecords: [DirectiveRecord] {
        cells.compactMap { if case let .directive(record) = $0 { return record } else { return nil } }
    }

    /// The first directive that failed or was interrupted, if any.
    public var firstFailure: DirectiveRecord? { directiveRecords.first { $0.status == .error || $0.status == .interrupted } }
}

/// What happened to one directive cell.
public struct DirectiveRecord: Sendable {
    public enum Status: String, Sendable {
        case ok, error, skipped
        /// Stopped by the user at a safe point; `error` says where and how to continue.
        case interrupted
        /// A live view's cell that is running now, and one that has not started (`lectern preview`). Never written to a file.
        case running, waiting
    }

    /// The cell's position among all cells of the notebook (0-based).
    public var index: Int
    public var directive: String
    /// The line of the opening fence.
    public var line: Int
    /// The body as written in the notebook.
    public var source: String
    public var status: Status
    /// The parameters after substitution, with defaults for those not written (marked).
    public var parameters: [(name: String, value: JSONValue, isDefault: Bool)]
    public var startedAt: Date?
    public var seconds: Double?
    /// Machine-readable results, with Hugging Face's key names where they exist.
    public var outputs: JSONValue
    /// What a reader sees: tables, text and logs, in order.
    public var blocks: [OutputBlock]
    /// The error, when `status` is `.error`; where it stopped, when `.interrupted`.
    public var error: String?
    /// Why the cell did not run, when `status` is `.skipped`.
    public var skipReason: String?
    /// The outputs come from the cell cache (an earlier run with the same inputs), not from running.
    public var cached = false
    /// For a cell restored from the cache: when, how long and on which machine it was computed.
    public var computed: Computation?
    /// Why the cell ran rather than coming from the cache ("its inputs changed", "--refresh", ...), for
    /// the course site's execution report. Not in the JSON transcript, which stays the same across runs.
    public var computedBecause: String?

    public init(index: Int, directive: String, line: Int, source: String, status: Status,
                parameters: [(name: String, value: JSONValue, isDefault: Bool)] = [], startedAt: Date? = nil, seconds: Double? = nil,
                outputs: JSONValue = .object([]), blocks: [OutputBlock] = [], error: String? = nil, skipReason: String? = nil) {
        self.index = index
        self.directive = directive
        self.line = line
        self.source = source
        self.status = status
        self.parameters = parameters
        self.startedAt = startedAt
        self.seconds = seconds
        self.outputs = outputs
        self.blocks = blocks
        self.error = error
        self.skipReason = skipReason
    }

    /// The HTML id of the cell, for links from the error banner.
    public var anchor: String { "cell-\(index)" }

    /// What the cell cost to compute: its own time, or for a cached cell the time it took when it ran.
    public var computeSeconds: Double? { computed?.seconds ?? (cached ? nil : seconds) }

    /// "computed in 15.5 s on AMD EPYC …, 2 cores, 2026-12-06; restored from the cache", for a cached cell that knows.
    public var computedNote: String? {
        guard let computed else { return nil }
        return "computed in \(Formatting.duration(computed.seconds)) on \(computed.machine), \(Transcript.timestamp(computed.startedAt).prefix(10)); restored from the cache"
    }
}

/// When, how long and where a cell was computed, kept with its cached result.
public struct Computation: Sendable, Codable, Equatable {
    public var startedAt: Date
    public var seconds: Double
    /// The CPU and its cores, as the run header names them.
    public var machine: String

    public init(startedAt: Date, seconds: Double, machine: String) {
        self.startedAt = startedAt
        self.seconds = seconds
        self.machine = machine
    }
}

/// One piece of a directive's visible output.
public enum OutputBlock: Sendable, Codable {
    /// A short paragraph of text.
    case text(String)
    /// Preformatted text, shown in a monospace box (e.g. an example's text).
    case preformatted(title: String?, text: String)
    case table(OutputTable)
    /// Lines of a progress log.
    case log([String])
    /// Something the reader should notice (e.g. rows decoded as Windows-1252).
    case notice(String)
    /// A plot: inline SVG in HTML, an SVG file beside the Markdown transcript.
    case chart(Chart)
    /// A text as word pieces.
    case tokens(TokenView)
}

/// A table: a title, column headers, and rows of cells already formatted as text.
public struct OutputTable: Sendable, Codable {
    public var title: String?
    public var columns: [String]
    public var rows: [[String]]
    /// Columns to align right (numbers).
    public var numericColumns: Set<Int>
    /// Columns whose cells are relative links (e.g. to other transcripts).
    public var linkColumns: Set<Int>

    public init(title: String? = nil, columns: [String], rows: [[String]], numericColumns: Set<Int> = [], linkColumns: Set<Int> = []) {
        self.title = title
        self.columns = columns
        self.rows = rows
        self.numericColumns = numericColumns
        self.linkColumns = linkColumns
    }
}
