import Foundation

/// Small text helpers shared by the HTML and Markdown renderers.
public enum Formatting {
    /// The first `limit` Unicode scalars of `text`, with `marker` when something was cut.
    public static func excerpt(_ text: String, limit: Int, marker: String = "…") -> String {
        let scalars = text.unicodeScalars
        guard scalars.count > limit else { return text }
        return String(String.UnicodeScalarView(scalars.prefix(limit))) + marker
    }

    /// A text for a JSON transcript: whole when it is of ordinary length, else its start and how long it was
    /// (a 10 MB text would otherwise be copied into every transcript).
    public static func transcriptText(_ text: String) -> String {
        let limit = 2000
        let count = text.unicodeScalars.count
        return count > limit ? excerpt(text, limit: limit, marker: "… [\(count) characters in all]") : text
    }

    /// A parameter value for a JSON transcript: every string cut as `transcriptText` cuts texts (a 5 MB
    /// value would otherwise be copied whole into the transcript for each place that shows it).
    public static func transcriptValue(_ value: JSONValue) -> JSONValue {
        switch value {
        case let .string(text): return .string(transcriptText(text))
        case let .array(items): return .array(items.map(transcriptValue))
        case let .object(entries): return .object(entries.map { (key: $0.key, value: transcriptValue($0.value)) })
        default: return value
        }
    }

    /// A parameter value as a table in HTML or Markdown shows it: as written, cut after 300 characters.
    static func shownValue(_ value: JSONValue) -> String {
        let text = display(value), count = text.unicodeScalars.count
        return count > 300 ? excerpt(text, limit: 300, marker: "… [\(count) characters in all]") : text
    }

    /// A cell's source as HTML and Markdown show it: lines longer than `transcriptText` keeps are cut.
    static func shownSource(_ source: String) -> String {
        guard source.utf8.count > 2000 else { return source }
        return source.split(separator: "\n", omittingEmptySubsequences: false).map { transcriptText(String($0)) }.joined(separator: "\n")
    }

    /// "0.12 s", "3.4 s", "2 min 05 s".
    static func duration(_ seconds: Double) -> String {
        if seconds < 10 { return String(format: "%.2f s", seconds) }
        if seconds < 60 { return String(format: "%.1f s", seconds) }
        let whole = Int(seconds.rounded())
        return String(format: "%d min %02d s", whole / 60, whole % 60)
    }

    /// A JSON value as a reader would write it in YAML.
    static func display(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case let .bool(flag): return flag ? "true" : "false"
        case let .int(number): return String(number)
        case let .double(number): return number.description
        case let .string(text): return text
        case let .array(items): return "[" + items.map(display).joined(separator: ", ") + "]"
        case let .object(entries): return "{" + entries.map { "\($0.key): \(display($0.value))" }.joined(separator: ", ") + "}"
        }
    }

    public static func escapeHTML(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// `value` as JSON to write inside a `<script>` element: every `<` escaped, so no `</script>` in a
    /// string can end the element early.
    public static func scriptJSON(_ value: JSONValue) -> String {
        value.serialized().trimmingCharacters(in: .newlines).replacingOccurrences(of: "<", with: "\\u003c")
    }

    /// GitHub's heading anchors: lowercase, spaces to hyphens, punctuation dropped.
    static func slug(_ text: String) -> String {
        let kept = text.lowercased().unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) || $0 == " " || $0 == "-" || $0 == "_" }
        let slug = String(String.UnicodeScalarView(kept)).replacingOccurrences(of: " ", with: "-")
        return slug.isEmpty ? "section" : slug
    }
}
