import Foundation
import LecternData
import LecternNotebook
import LecternRunner
import LecternTranscript

/// A Lectern notebook as a Jupyter notebook (nbformat 4.5) or a Python script: prose as Markdown
/// cells, each directive as the Hugging Face code it stands for, and (for a notebook that ran)
/// Lectern's outputs attached to the code cells, so the notebook opens with its results.
public enum NotebookExport {
    /// The `.ipynb` JSON. `arguments` are the directives' validated arguments by cell index;
    /// `transcript`, when given, supplies each directive cell's outputs; `seed` is the notebook's
    /// (after `--set`), which a `train` cell without its own uses.
    public static func ipynb(_ notebook: Notebook, arguments: [Int: DirectiveArguments], transcript: Transcript?, seed: Int, version: String) -> JSONValue {
        let context = PythonCode.Context(seed: seed, pairs: loadsPairs(notebook, arguments), task: task(notebook, arguments))
        let records = Dictionary((transcript?.directiveRecords ?? []).map { ($0.index, $0) }, uniquingKeysWith: { first, _ in first })
        var cells: [JSONValue] = [codeCell(id: "lectern-imports", source: PythonCode.preamble(notebook: notebook.path, version: version), outputs: [])]
        for (index, cell) in notebook.cells.enumerated() {
            let id = "cell-\(index)"
            switch cell {
            case let .prose(prose):
                // A notebook that ran carries its prose as rendered: values woven in.
                var markdown = prose.markdown
                if let transcript, index < transcript.cells.count, case let .prose(woven, _, _) = transcript.cells[index] { markdown = woven }
                cells.append(markdownCell(id: id, source: markdown))
            case let .code(code):
                // Shown, not run, by Lectern; kept as it was written.
                cells.append(markdownCell(id: id, source: "```\(code.language)\n\(code.source)```"))
            case let .directive(directive):
                guard let arguments = arguments[index] else { continue }
                let source = "# Lectern: ```\(directive.name.rawValue) (line \(directive.line))\n"
                    + PythonCode.code(for: directive.name, arguments, source: datasetSource(arguments, notebook: notebook), context: context)
                cells.append(codeCell(id: id, source: source, outputs: records[index].map(outputs) ?? []))
            }
        }
        return .object([
            ("cells", .array(cells)),
            ("metadata", .object([
                ("kernelspec", .object([("display_name", "Python 3"), ("language", "python"), ("name", "python3")])),
                ("language_info", .object([("name", "python")])),
                ("lectern", .object([("notebook", .string(notebook.path)), ("version", .string(version)),
                                     ("outputs", .string(transcript == nil ? "none" : "Lectern's, from its run"))])),
            ])),
            ("nbformat", 4),
            ("nbformat_minor", 5),
        ])
    }

    /// The same code as a script: prose as comments, directive code in order.
    public static func python(_ notebook: Notebook, arguments: [Int: DirectiveArguments], seed: Int, version: String) -> String {
        var parts = [PythonCode.preamble(notebook: notebook.path, version: version)]
        let context = PythonCode.Context(seed: seed, pairs: loadsPairs(notebook, arguments), task: task(notebook, arguments))
        for (index, cell) in notebook.cells.enumerated() {
            switch cell {
            case let .prose(prose):
                parts.append(prose.markdown.split(separator: "\n", omittingEmptySubsequences: false)
                    .map { $0.isEmpty ? "#" : "# " + $0 }.joined(separator: "\n"))
            case .code:
                continue
            case let .directive(directive):
                guard let arguments = arguments[index] else { continue }
                parts.append("# Lectern: ```\(directive.name.rawValue) (line \(directive.line))\n"
                    + PythonCode.code(for: directive.name, arguments, source: datasetSource(arguments, notebook: notebook), context: context))
            }
        }
        return parts.joined(separator: "\n\n") + "\n"
    }

    /// Where a `load` cell's dataset is on this machine, for code that reads local files.
    /// Whether a `load` cell reads sentence pairs, so that `tokenize` passes `text_pair`.
    static func loadsPairs(_ notebook: Notebook, _ arguments: [Int: DirectiveArguments]) -> Bool {
        notebook.cells.indices.contains { index in
            guard case let .directive(directive) = notebook.cells[index], directive.name == .load else { return false }
            return arguments[index].map { LoadDirective.Settings($0).textPairColumn != nil } ?? false
        }
    }

    /// What the notebook's labels are: its (last) `load` cell's `problem_type`.
    static func task(_ notebook: Notebook, _ arguments: [Int: DirectiveArguments]) -> LabelTask {
        notebook.cells.indices.reversed().lazy.compactMap { index -> LabelTask? in
            guard case let .directive(directive) = notebook.cells[index], directive.name == .load, let cell = arguments[index] else { return nil }
            return LoadDirective.Settings(cell).problemType
        }.first ?? .singleLabelClassification
    }

    static func datasetSource(_ arguments: DirectiveArguments, notebook: Notebook) -> String? {
        guard arguments.directive == .load else { return nil }
        return try? DatasetResolver.resolve(LoadDirective.Settings(arguments).dataset, relativeTo: URL(fileURLWithPath: notebook.path).deletingLastPathComponent().path)
    }

    static func lines(_ text: String) -> JSONValue {
        let pieces = text.split(separator: "\n", omittingEmptySubsequences: false)
        return .array(pieces.enumerated().compactMap { index, piece in
            let last = index == pieces.count - 1
            if last && piece.isEmpty { return nil }
            return .string(String(piece) + (last ? "" : "\n"))
        })
    }

    static func markdownCell(id: String, source: String) -> JSONValue {
        .object([("cell_type", "markdown"), ("id", .string(id)), ("metadata", .object([])), ("source", lines(source))])
    }

    static func codeCell(id: String, source: String, outputs: [JSONValue]) -> JSONValue {
        .object([("cell_type", "code"), ("execution_count", .null), ("id", .string(id)), ("metadata", .object([])),
                 ("outputs", .array(outputs)), ("source", lines(source))])
    }

    /// A directive's results as Jupyter outputs: the HTML Lectern shows (plots inline) with a
    /// plain-text version, or the error.
    static func outputs(_ record: DirectiveRecord) -> [JSONValue] {
        var outputs: [JSONValue] = []
        if !record.blocks.isEmpty {
            outputs.append(.object([
                ("data", .object([("text/html", lines(HTMLTranscriptRenderer.fragment(record.blocks))),
                                  ("text/plain", lines(Transcript.plainText(record.blocks)))])),
                ("metadata", .object([])),
                ("output_type", "display_data"),
            ]))
        }
        if let error = record.error {
            outputs.append(.object([("name", "stderr"), ("output_type", "stream"), ("text", lines(error + "\n"))]))
        }
        return outputs
    }
}
