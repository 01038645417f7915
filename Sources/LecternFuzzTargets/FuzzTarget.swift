import Foundation
import LecternColumnar
import LecternData
import LecternEngine
import LecternNotebook
import LecternRunner

/// The entry points that the fuzzers drive, and that the tests replay the committed corpora and
/// every crash found through. Each takes arbitrary bytes; any error must be a thrown value with a
/// message, never a trap. Inputs that reach files go through a scratch file, so the real readers run.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// Notebook parsing (front matter, cmark-gfm, directive bodies) and validation of every directive.
    case notebook
    /// A `--params` YAML file applied to a notebook's declared parameters, then substituted and validated.
    case parameters
    /// The safetensors header and tensor reads.
    case safetensors
    /// A model's `config.json`: every family's keys, labels and problem type, then the layout its sizes imply.
    case modelConfig
    /// `pytorch_model.bin`: the zip directory, the restricted unpickler, storage checks and tensor reads.
    case torchCheckpoint
    /// CSV with a header, read into a dataset.
    case csv
    /// A label column read for every task: the bytes as CSV and as JSON Lines, for single labels,
    /// scores and label lists (split at `;`).
    case labelColumns
    /// WordPiece tokenization of arbitrary text, with and without truncation.
    case tokenizer
    /// Byte-level BPE (RoBERTa's) of arbitrary text, alone and as a sentence pair under each truncation strategy.
    case bpeTokenizer
    /// A `tokenizer.json` of arbitrary bytes, read as `AutoTokenizer` would choose it, then used.
    case tokenizerJSON
    /// A Parquet file: the footer, then every readable column, whole and as a slice of rows.
    case parquet
    /// An Arrow IPC file (stream or file format): the schema, then every column.
    case arrow

    public func run(_ data: Data) {
        switch self {
        case .notebook: Self.notebook(data)
        case .parameters: Self.parameters(data)
        case .safetensors: Self.safetensors(data)
        case .modelConfig: Self.modelConfig(data)
        case .torchCheckpoint: Self.torchCheckpoint(data)
        case .csv: Self.csv(data)
        case .labelColumns: Self.labelColumns(data)
        case .tokenizer: Self.tokenizer(data)
        case .bpeTokenizer: Self.bpeTokenizer(data)
        case .tokenizerJSON: Self.tokenizerJSON(data)
        case .parquet: Self.parquet(data)
        case .arrow: Self.arrow(data)
        }
    }

    static func notebook(_ data: Data) {
        guard let notebook = try? NotebookParser.parse(data: data, path: "fuzz.md", directives: DirectiveRegistry.standard.names) else { return }
        let bindings = ParameterBindings(frontMatter: notebook.frontMatter)
        _ = NotebookRunner().check(notebook, bindings: bindings)
    }

    /// A notebook that declares two parameters and uses them in `load` and `train`.
    static let parameterNotebook = """
        ---
        params:
          rows: 100
          rate: 5e-5
        ---

        ```load
        dataset: tiny
        split: train[:${rows}]
        test_size: 0.2
        ```

        ```tokenize
        model: tiny
        ```

        ```train
        learning_rate: ${rate}
        ```

        """

    static func parameters(_ data: Data) {
        guard let notebook = try? NotebookParser.parse(text: parameterNotebook, path: "fuzz.md", directives: DirectiveRegistry.standard.names) else { return }
        var bindings = ParameterBindings(frontMatter: notebook.frontMatter)
        let file = ScratchFile.write(data, name: "params.yaml")
        guard (try? bindings.apply(parametersFile: file)) != nil else { return }
        _ = NotebookRunner().check(notebook, bindings: bindings)
    }

    static func safetensors(_ data: Data) {
        let path = ScratchFile.write(data, name: "model.safetensors")
        guard let file = try? SafetensorsFile(path: path) else { return }
        for tensor in file.tensors.values where tensor.count <= 1 << 20 {
            let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: tensor.count)
            defer { buffer.deallocate() }
            _ = try? file.read(tensor.name, into: buffer)
        }
    }

    static func modelConfig(_ data: Data) {
        let path = ScratchFile.write(data, name: "config.json")
        guard let config = try? ModelConfig(contentsOf: path) else { return }
        _ = (config.problemType, config.maxSequenceLength, config.headSize)
        // A real load first holds the layer count to the weights file's; the layout walks the layers.
        if config.numHiddenLayers <= 64 { _ = ModelParameters.count(for: config) }
    }

    static func torchCheckpoint(_ data: Data) {
        let path = ScratchFile.write(data, name: "pytorch_model.bin")
        guard let file = try? TorchCheckpointFile(path: path) else { return }
        for (name, shape) in file.shapes {
            let count = shape.reduce(1) { total, size in
                let product = total.multipliedReportingOverflow(by: size)
                return product.overflow ? .max : product.partialValue
            }
            guard count <= 1 << 20 else { continue }
            let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
            defer { buffer.deallocate() }
            _ = try? file.read(name, into: buffer)
        }
    }

    static func csv(_ data: Data) {
        let path = ScratchFile.write(data, name: "table.csv")
        for policy in [InvalidUTF8Policy.windows1252, .error] {
            _ = try? DatasetLoader.load(at: path, options: LoadOptions(format: .csv, invalidUTF8: policy))
        }
    }

    static func parquet(_ data: Data) {
        guard let file = try? ParquetFile(path: ScratchFile.write(data, name: "table.parquet")) else { return }
        for column in file.columns {
            _ = try? file.read([column.name])
            _ = try? file.read([column.name], rows: 1..<3)
        }
    }

    static func arrow(_ data: Data) {
        guard let file = try? ArrowFile(path: ScratchFile.write(data, name: "table.arrow")) else { return }
        for name in file.columnNames {
            _ = try? file.read([name])
            _ = try? file.read([name], limit: 2)
        }
    }

    static func labelColumns(_ data: Data) {
        for (format, name) in [(DatasetFormat.csv, "table.csv"), (.jsonl, "table.jsonl")] {
            let path = ScratchFile.write(data, name: name)
            for task in LabelTask.allCases {
                _ = try? DatasetLoader.load(at: path, options: LoadOptions(format: format, task: task, labelDelimiter: ";"))
            }
        }
    }

    /// The tiny test model's vocabulary (the repository's fixture), loaded once.
    static let tokenizerUnderTest: BertTokenizer? = {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Tests/LecternEngineTests/Fixtures/tiny-bert-classifier").path
        return try? BertTokenizer(folder: folder)
    }()

    static func tokenizer(_ data: Data) {
        guard let tokenizer = tokenizerUnderTest else { fatalError("the tiny tokenizer fixture is missing") }
        let text = String(decoding: data, as: UTF8.self)
        let full = tokenizer.encode(text)
        let cut = tokenizer.encode(text, maxLength: 16)
        // Truncation keeps [CLS] … [SEP] within the limit and agrees with the full encoding's prefix.
        precondition(cut.ids.count <= 16 && cut.ids.first == tokenizer.clsID && cut.ids.last == tokenizer.sepID)
        precondition(full.ids.count <= 16 ? cut.ids == full.ids : Array(full.ids.prefix(15)) == Array(cut.ids.prefix(15)))
    }
}

extension FuzzTarget {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Tests/LecternEngineTests/Fixtures")

    /// The tiny RoBERTa fixture's byte-level BPE, loaded once.
    static let bpeUnderTest: (any TextTokenizer)? = try? ModelTokenizer.load(folder: fixtures.appendingPathComponent("tiny-roberta-classifier").path)

    static func bpeTokenizer(_ data: Data) {
        guard let tokenizer = bpeUnderTest else { fatalError("the tiny RoBERTa fixture is missing") }
        let text = String(decoding: data, as: UTF8.self)
        let full = tokenizer.encode(text), cut = tokenizer.encode(text, maxLength: 16)
        precondition(cut.ids.count <= 16 && cut.ids.first == tokenizer.clsID && cut.ids.last == tokenizer.sepID)
        precondition(full.ids.count <= 16 ? cut.ids == full.ids : Array(full.ids.prefix(15)) == Array(cut.ids.prefix(15)))
        // The text's two halves as a pair: every strategy fits the limit or refuses with a message.
        let half = text.index(text.startIndex, offsetBy: text.count / 2)
        for strategy in TruncationStrategy.allCases {
            guard let pair = try? tokenizer.encode(String(text[..<half]), pair: String(text[half...]), maxLength: 12, strategy: strategy) else { continue }
            precondition(pair.ids.count <= 12 && pair.ids.first == tokenizer.clsID && pair.ids.last == tokenizer.sepID)
        }
    }

    static func tokenizerJSON(_ data: Data) {
        let folder = ScratchFile.folder + "/tokenizer-json"
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: folder + "/tokenizer.json", contents: data)
        guard let tokenizer = try? ModelTokenizer.load(folder: folder) else { return }
        let encoding = tokenizer.encode("Hello, wörld! <s> 12,345 ĠĊ", maxLength: 8)
        precondition(encoding.ids.count <= 8)
        _ = tokenizer.tokens(encoding.ids).map(tokenizer.readable)
    }
}

/// One scratch file per target and process, rewritten for every input.
enum ScratchFile {
    static let folder: String = {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let path = "\(base)/lectern-fuzz-\(getpid())"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    static func write(_ data: Data, name: String) -> String {
        let path = "\(folder)/\(name)"
        _ = FileManager.default.createFile(atPath: path, contents: data)
        return path
    }
}
