import Foundation

/// Small text helpers shared by the HTML and Markdown renderers.
enum Formatting {
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

    static func escapeHTML(_ text: String) -> String {
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

    /// GitHub's heading anchors: lowercase, spaces to hyphens, punctuation dropped.
    static func slug(_ text: String) -> String {
        let kept = text.lowercased().unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) || $0 == " " || $0 == "-" || $0 == "_" }
        let slug = String(String.UnicodeScalarView(kept)).replacingOccurrences(of: " ", with: "-")
        return slug.isEmpty ? "section" : slug
    }
}
