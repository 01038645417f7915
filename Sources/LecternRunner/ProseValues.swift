import Foundation
import LecternNotebook
import LecternTranscript

/// Values woven into prose, as knitr's inline `r`, Quarto's inline expressions and MyST-NB's `glue`:
/// `${name}` quotes a parameter, `${label.key}` a single value among the outputs of the cell whose
/// body says `#| label: label` (`${results.metrics.eval_accuracy}`: keys through nested outputs).
/// A format may follow a colon: `:,` groups thousands, `:.2f` fixes the decimals, `:.1%` writes a
/// percentage, `:,.1f` both. `\${` writes `${`.
enum ProseValues {
    /// A reference as written in a prose cell, with where.
    struct Reference {
        var name: String
        var path: [String]
        var format: Format?
        var formatText: String?
        var range: Range<String.Index>
        var location: SourceLocation
        var written: String
    }

    /// How a number is written.
    struct Format: Equatable {
        var grouped = false
        var decimals: Int?
        var percent = false

        /// `,` then `.N` then `f` or `%`, each optional but not all absent.
        init?(_ spec: String) {
            var rest = Substring(spec)
            if rest.hasPrefix(",") { grouped = true; rest = rest.dropFirst() }
            if rest.hasPrefix(".") {
                let digits = rest.dropFirst().prefix { $0.isNumber }
                guard let count = Int(digits), count <= 12 else { return nil }
                decimals = count
                rest = rest.dropFirst(1 + digits.count)
            }
            if rest == "%" { percent = true; rest = "" } else if rest == "f", decimals != nil { rest = "" }
            guard rest.isEmpty, grouped || decimals != nil || percent else { return nil }
        }

        func write(_ value: Double) -> String {
            let scaled = percent ? value * 100 : value
            var text = decimals.map { String(format: "%.\($0)f", scaled) } ?? ProseValues.plain(scaled)
            if grouped { text = ProseValues.grouped(text) }
            return text + (percent ? "%" : "")
        }
    }

    /// The references in a prose cell, skipping `\${`.
    static func references(in prose: ProseCell, path notebookPath: String) -> [Reference] {
        let pattern = /\$\{([A-Za-z_][A-Za-z0-9_]*)((?:\.[A-Za-z0-9_\/-]+)*)(?::([^}\n]*))?\}/
        var found: [Reference] = []
        for match in prose.markdown.matches(of: pattern) {
            if match.range.lowerBound > prose.markdown.startIndex, prose.markdown[prose.markdown.index(before: match.range.lowerBound)] == "\\" { continue }
            let before = prose.markdown[..<match.range.lowerBound]
            let line = prose.lines.lowerBound + before.filter { $0 == "\n" }.count
            let column = before.count - (before.lastIndex(of: "\n").map { before.distance(from: before.startIndex, to: $0) + 1 } ?? 0) + 1
            let formatText = match.output.3.map(String.init)
            found.append(Reference(name: String(match.output.1), path: match.output.2.split(separator: ".").map(String.init),
                                   format: formatText.flatMap(Format.init), formatText: formatText, range: match.range,
                                   location: SourceLocation(file: notebookPath, line: line, column: column), written: String(match.output.0)))
        }
        return found
    }

    /// Each labelled directive cell's label (`#| label: NAME` in its body) and its index among the cells.
    static func labels(_ notebook: Notebook) -> [String: Int] {
        var labels: [String: Int] = [:]
        for (index, cell) in notebook.directives {
            for line in cell.source.split(separator: "\n") {
                let text = line.trimmingCharacters(in: .whitespaces)
                guard text.hasPrefix("#|"), let colon = text.firstIndex(of: ":"),
                      text[text.index(text.startIndex, offsetBy: 2)..<colon].trimmingCharacters(in: .whitespaces) == "label" else { continue }
                let label = text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                if !label.isEmpty, labels[label] == nil { labels[label] = index }
            }
        }
        return labels
    }

    /// What `lectern check` says about the prose's references: an unknown parameter or cell, a
    /// parameter quoted with a key, a cell quoted without one or from above it, an unknown format.
    static func check(_ notebook: Notebook, bindings: ParameterBindings) -> [Diagnostic] {
        let labels = labels(notebook)
        var problems: [Diagnostic] = []
        for (index, cell) in notebook.cells.enumerated() {
            guard case let .prose(prose) = cell, prose.markdown.contains("${") else { continue }
            for reference in references(in: prose, path: notebook.path) {
                if reference.formatText != nil, reference.format == nil {
                    problems.append(Diagnostic("`\(reference.written)` has the format `\(reference.formatText ?? "")`, which Lectern does not write.",
                                               at: reference.location, hint: "Use `:,` (thousands), `:.2f` (decimals), `:.1%` (a percentage) or `:,.1f`."))
                }
                if reference.path.isEmpty {
                    if bindings[reference.name] != nil { continue }
                    let hint = labels[reference.name] != nil ? "It is a cell's label: quote one of its outputs, as `${\(reference.name).KEY}`."
                        : Suggestion.closest(to: reference.name, among: bindings.bindings.map(\.name)).map { "Did you mean `${\($0)}`?" }
                        ?? "Declare it under `params:` in the front matter, or pass `--set \(reference.name)=VALUE`."
                    problems.append(Diagnostic("`\(reference.written)` names no parameter of this notebook.", at: reference.location, hint: hint))
                } else if let cellIndex = labels[reference.name] {
                    if cellIndex > index {
                        problems.append(Diagnostic("`\(reference.written)` quotes the cell labelled `\(reference.name)`, which comes later in the notebook.",
                                                   at: reference.location, hint: "Quote a cell above this text, or move the text below the cell."))
                    }
                } else {
                    let hint = Suggestion.closest(to: reference.name, among: Array(labels.keys)).map { "Did you mean `\($0)`?" }
                        ?? "Give the cell a label: a line `#| label: \(reference.name)` in its body."
                    problems.append(Diagnostic("`\(reference.written)` quotes no labelled cell.", at: reference.location, hint: hint))
                }
            }
        }
        return problems
    }

    /// A prose cell's Markdown with its references replaced, what was woven, and a warning for each value that is missing.
    static func weave(_ prose: ProseCell, notebook: Notebook, bindings: ParameterBindings, records: [Int: DirectiveRecord],
                      labels: [String: Int]) -> (markdown: String, woven: [Transcript.WovenValue], warnings: [String]) {
        var markdown = prose.markdown, woven: [Transcript.WovenValue] = [], warnings: [String] = []
        for reference in references(in: prose, path: notebook.path).reversed() {
            let (value, source) = resolve(reference, bindings: bindings, records: records, labels: labels)
            switch value {
            case let .success(text):
                markdown.replaceSubrange(reference.range, with: text)
                woven.insert(Transcript.WovenValue(reference: reference.written, value: text, source: source, line: reference.location.line), at: 0)
            case let .failure(missing):
                markdown.replaceSubrange(reference.range, with: "⟨\(reference.written.dropFirst(2).dropLast()): missing⟩")
                woven.insert(Transcript.WovenValue(reference: reference.written, value: nil, source: source, line: reference.location.line), at: 0)
                warnings.insert("\(reference.location): \(reference.written) is missing from the text: \(missing.reason).", at: 0)
            }
        }
        // `\${` writes `${`, in code spans too (where Markdown itself would keep the backslash).
        return (markdown.replacingOccurrences(of: "\\${", with: "${"), woven, warnings)
    }

    /// Why a value could not be woven.
    struct Missing: Error { var reason: String }

    private static func resolve(_ reference: Reference, bindings: ParameterBindings, records: [Int: DirectiveRecord],
                                labels: [String: Int]) -> (Result<String, Missing>, String) {
        if reference.path.isEmpty {
            guard let binding = bindings[reference.name], let text = binding.value.scalarText else {
                return (.failure(Missing(reason: "it is not a single value")), "parameter `\(reference.name)`")
            }
            return (write(text, reference.format), "parameter `\(reference.name)` (\(binding.source))")
        }
        guard let index = labels[reference.name], let record = records[index] else {
            return (.failure(Missing(reason: "the cell did not run")), "cell `\(reference.name)`")
        }
        let source = "cell `\(reference.name)` (`\(record.directive)`, line \(record.line))"
        guard record.status == .ok else { return (.failure(Missing(reason: "the cell \(record.status == .skipped ? "was skipped" : "failed")")), source) }
        var value = record.outputs
        for key in reference.path {
            guard let next = value[key] else { return (.failure(Missing(reason: "the cell has no output `\(reference.path.joined(separator: "."))`")), source) }
            value = next
        }
        switch value {
        case let .int(number): return (write(String(number), reference.format), source)
        case let .double(number): return (reference.format.map { .success($0.write(number)) } ?? .success(plain(number)), source)
        case let .string(text): return (write(text, reference.format), source)
        case let .bool(flag): return (.success(String(flag)), source)
        default: return (.failure(Missing(reason: "`\(reference.path.joined(separator: "."))` is not a single value")), source)
        }
    }

    /// A value written as text, formatted when a format was asked for (and it is a number).
    private static func write(_ text: String, _ format: Format?) -> Result<String, Missing> {
        guard let format else { return .success(text) }
        guard let number = Double(text) else { return .failure(Missing(reason: "`\(text)` is not a number to format")) }
        return .success(format.write(number))
    }

    /// A number without a format: whole numbers whole, others to four significant digits (0.825, 17.41).
    static func plain(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
        if abs(value) >= 1000 { return String(format: "%.0f", value) }
        return String(format: "%.4g", value)
    }

    /// "12,345.6": thousands grouped in the whole part of a written number.
    static func grouped(_ text: String) -> String {
        let negative = text.hasPrefix("-")
        let digits = negative ? String(text.dropFirst()) : text
        let whole = digits.prefix { $0.isNumber }, rest = digits.dropFirst(whole.count)
        var out = ""
        for (offset, digit) in whole.enumerated() {
            if offset > 0, (whole.count - offset) % 3 == 0 { out += "," }
            out.append(digit)
        }
        return (negative ? "-" : "") + out + rest
    }
}
