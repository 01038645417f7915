import Foundation
import LecternTranscript
import LecternData
import LecternEngine
import LecternFiles

/// The state cells share while a notebook runs, in document order.
public struct Session: Sendable {
    /// The dataset from the last `load`, its splits as the notebook shaped them.
    public var dataset: LoadedDataset?
    /// The tokenizer and token ids from the last `tokenize`.
    public var tokenized: TokenizedDataset?
    /// The classifier the last `train` produced.
    public var model: TrainedModel?
    /// The files the run read (data, models), in the order first read, for the run header.
    public private(set) var inputs: [RunInput] = []

    public init() {}

    /// Notes a dataset or model the run read, hashing it the first time its path is seen.
    public mutating func recordInput(kind: RunInput.Kind, name: String, path: String, detail: String? = nil, hashes: ContentHashes) {
        guard !inputs.contains(where: { $0.path == path }) else { return }
        let hashed = kind == .model ? ModelWeights.path(in: path) ?? path : path
        inputs.append(RunInput(kind: kind, name: name, path: path, detail: detail, sha256: try? hashes.sha256(of: hashed)))
    }
}

/// A dataset or model a run read, and the SHA-256 of its content: of the weights file for a model
/// (model.safetensors or pytorch_model.bin: the hub's name for that file's content), of the file or
/// folder for data.
public struct RunInput: Sendable {
    public enum Kind: String, Sendable {
        case data = "Data", model = "Model"
    }

    public var kind: Kind
    public var name: String
    public var path: String
    public var detail: String?
    public var sha256: String?

    /// One line for the run header: name, detail, path, hash.
    public var summary: String {
        ([name] + (detail.map { [$0] } ?? []) + [path] + (sha256.map { ["sha256:\($0)"] } ?? [])).joined(separator: " · ")
    }
}

/// A dataset as a `tokenize` cell left it.
public struct TokenizedDataset: Sendable {
    /// The model name or path the notebook gave.
    public var modelName: String
    public var modelFolder: String
    public var tokenizer: any TextTokenizer
    /// Tokens per text, special tokens included (nil: no truncation).
    public var maxLength: Int?
    /// How sentence pairs were cut (`longest_first` for single texts).
    public var truncation: TruncationStrategy
    public var padding: String
    /// Token ids per split, in the dataset's order.
    public var splits: [String: [[Int32]]]
    /// Token types per split, for sentence pairs (absent for single texts; a nil entry: all 0).
    public var typeIDs: [String: [[Int32]?]]

    /// A split's rows as the Trainer takes them: ids, target (by the data's task, over `labelCount` labels) and token types.
    func examples(_ split: String, labels: Labels, labelCount: Int) -> [LabelledSequence]? {
        guard let ids = splits[split], labels.count == ids.count else { return nil }
        let types = typeIDs[split]
        let targets = labels.targets(labelCount: labelCount)
        return ids.indices.map { LabelledSequence(ids: ids[$0], target: targets[$0], typeIDs: types?[$0]) }
    }
}

extension Labels {
    /// The class ids of single-label rows (nil for the other tasks).
    var classIDs: [Int]? {
        if case let .classes(values) = self { return values }
        return nil
    }

    /// The engine's target of each row: a class id, a score, or 1 and 0 for each of `labelCount` labels.
    func targets(labelCount: Int) -> [Target] {
        switch self {
        case let .classes(values): return values.map(Target.label)
        case let .scores(values): return values.map { .score(Float($0)) }
        case let .sets(values):
            return values.map { row in
                var hot = [Float](repeating: 0, count: labelCount)
                for label in row where label < labelCount { hot[label] = 1 }
                return .labels(hot)
            }
        }
    }
}

extension LabelTask {
    /// The engine's name for the task.
    var problemType: ProblemType {
        switch self {
        case .singleLabelClassification: .singleLabelClassification
        case .regression: .regression
        case .multiLabelClassification: .multiLabelClassification
        }
    }
}

/// A classifier a cell produced, with what it needs to run.
public struct TrainedModel: Sendable {
    public var name: String
    public var classifier: TextClassifier
}

/// A dataset as a `load` cell left it.
public struct LoadedDataset: Sendable {
    /// The name or path the notebook gave.
    public var name: String
    public var dataset: Dataset
}

/// What every cell may consult while it runs.
public struct RunContext: Sendable {
    /// The notebook's path, as given.
    public var notebookPath: String
    /// Relative data and model paths resolve from here (the notebook's folder).
    public var baseFolder: String
    /// The notebook seed (front matter or `--set seed=`), used where a directive sets none.
    public var seed: Int
    public var progress: any ProgressReporter
    /// Whether the user asked the run to stop (Ctrl-C, SIGTERM): long cells stop at their next
    /// safe point (training: the step boundary, after writing a checkpoint), later cells do not start.
    public var isInterrupted: @Sendable () -> Bool
    /// `lectern run --resume`: `train` cells continue from the newest checkpoint in their `output_dir`.
    public var resume: Bool
    /// Where earlier results are reused from and stored (nil: `--no-cache`).
    public var cache: CellCache?
    /// Cells to run even when cached (`--refresh`): directive names or the line of a cell's fence.
    public var refresh: Set<String>
    /// `lectern build --frozen`: every cell the cache stores must come from it; one whose inputs
    /// changed is an error instead of a run. Cells that are never cached (`load`, `tokenize`) run.
    public var frozen: Bool
    /// Content hashes computed during this run (cache keys and the run header share them).
    public let hashes = ContentHashes()
    /// Hears the transcript so far as each cell starts (`lectern preview`'s live page); nil: nobody listens.
    public var partialTranscript: (@Sendable (Transcript) -> Void)?

    public init(notebookPath: String, baseFolder: String, seed: Int, progress: any ProgressReporter,
                isInterrupted: @escaping @Sendable () -> Bool = { false }, resume: Bool = false,
                cache: CellCache? = nil, refresh: Set<String> = [], frozen: Bool = false) {
        self.notebookPath = notebookPath
        self.baseFolder = baseFolder
        self.seed = seed
        self.progress = progress
        self.isInterrupted = isInterrupted
        self.resume = resume
        self.cache = cache
        self.refresh = refresh
        self.frozen = frozen
    }
}

/// Receives progress from long cells, and cell starts and ends from the runner.
public protocol ProgressReporter: Sendable {
    func cellStarted(index: Int, of total: Int, directive: String, line: Int)
    func cellFinished(directive: String, status: String, seconds: Double, summary: String?)
    /// `done` of `total` units of work (`unit`, e.g. "steps"), with an optional short note (the last loss).
    func progress(done: Int, total: Int, unit: String, note: String?)
    /// A row of the training log as the Trainer makes it (`log_history`'s keys, in its order).
    func logged(_ row: [(key: String, value: Double)])
}

extension ProgressReporter {
    /// The terminal shows steps, not rows: by default a row is not reported.
    public func logged(_ row: [(key: String, value: Double)]) {}
}

/// Reports nothing (tests, `--quiet`).
public struct SilentProgress: ProgressReporter {
    public init() {}
    public func cellStarted(index: Int, of total: Int, directive: String, line: Int) {}
    public func cellFinished(directive: String, status: String, seconds: Double, summary: String?) {}
    public func progress(done: Int, total: Int, unit: String, note: String?) {}
}
