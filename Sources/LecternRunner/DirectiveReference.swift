import LecternNotebook

/// docs/directives.md's parameter tables, made from the directives' settings: the reference cannot
/// drift from what `lectern check` accepts. `lectern reference` prints them; `--update FILE` rewrites
/// the tables between `<!-- parameters: NAME -->` and `<!-- end parameters -->` in a Markdown file.
public enum DirectiveReference {
    /// One directive's table: parameter, type, default, meaning.
    public static func table(_ schema: DirectiveSchema) -> String {
        var lines = ["| parameter | type | default | meaning |", "| --- | --- | --- | --- |"]
        for spec in schema.parameters {
            let fallback = spec.required ? "required" : spec.defaultValue.map(shown) ?? "—"
            lines.append("| `\(spec.name)` | \(spec.kind.shortName) | \(fallback) | \(spec.summary.replacingOccurrences(of: "|", with: "\\|")) |")
        }
        return lines.joined(separator: "\n")
    }

    /// `text` with every marked table replaced by the registry's; unknown names are left as they are.
    public static func updated(_ text: String, registry: DirectiveRegistry = .standard) -> String {
        var output: [Substring] = []
        var skipping = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if skipping {
                if line.hasPrefix("<!-- end parameters -->") { skipping = false; output.append(line) }
                continue
            }
            output.append(line)
            if let name = marked(line), let handler = registry.handler(for: DirectiveName(rawValue: name)) {
                output += table(handler.directiveSchema).split(separator: "\n", omittingEmptySubsequences: false)
                skipping = true
            }
        }
        return output.joined(separator: "\n")
    }

    /// The directive a `<!-- parameters: NAME -->` line introduces.
    static func marked(_ line: Substring) -> String? {
        guard line.hasPrefix("<!-- parameters: "), line.hasSuffix(" -->") else { return nil }
        return String(line.dropFirst("<!-- parameters: ".count).dropLast(" -->".count))
    }

    static func shown(_ value: ParameterValue) -> String {
        switch value {
        case let .string(text): return "`\(text)`"
        case let .list(items): return "`[" + items.map(\.description).joined(separator: ", ") + "]`"
        default: return "`\(value.description)`"
        }
    }
}

extension ParameterKind {
    /// What a value is, in a few words, for the reference's type column.
    var shortName: String {
        switch self {
        case .string: return "text"
        case .integer: return "whole number"
        case .number: return "number"
        case .boolean: return "boolean"
        case let .choice(options): return options.map { "`\($0)`" }.joined(separator: ", ")
        case let .booleanOrChoice(options): return (["true", "false"] + options).map { "`\($0)`" }.joined(separator: ", ")
        case let .list(element): return "list of \(element.shortName)"
        case .mapping: return "mapping of names to text"
        case .fractionOrCount: return "fraction or count"
        }
    }
}
