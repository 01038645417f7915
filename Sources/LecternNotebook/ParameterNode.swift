import Yams

/// A YAML value with the place it was written, so that every error can point at it.
///
/// Scalars stay text until a schema says what they should be (see `ParameterKind`):
/// `5e-5` is a number for `learning_rate` and a string for `text`, and a quoted `"8"`
/// is never a number.
public struct ParameterNode: Sendable {
    public enum Value: Sendable {
        /// Scalar text; `quoted` is true for quoted and block scalars, which are always strings.
        case scalar(String, quoted: Bool)
        case sequence([ParameterNode])
        case mapping([ParameterEntry])
    }

    public var value: Value
    public var location: SourceLocation
    /// Where a value substituted for `${name}` came from, e.g. "parameter `lr` set with --set".
    public var origin: String?

    public init(_ value: Value, at location: SourceLocation, origin: String? = nil) {
        self.value = value
        self.location = location
        self.origin = origin
    }

    /// The scalar text, if this is a scalar.
    public var scalarText: String? {
        if case let .scalar(text, _) = value { return text }
        return nil
    }

    /// The value as a YAML-like plain rendering (for transcripts and error messages).
    public var displayText: String {
        switch value {
        case let .scalar(text, quoted): return quoted ? "\"\(text)\"" : text
        case let .sequence(items): return "[" + items.map(\.displayText).joined(separator: ", ") + "]"
        case let .mapping(entries):
            return "{" + entries.map { "\($0.key): \($0.value.displayText)" }.joined(separator: ", ") + "}"
        }
    }
}

/// One `key: value` pair of a mapping, with where the key was written.
public struct ParameterEntry: Sendable {
    public var key: String
    public var keyLocation: SourceLocation
    public var value: ParameterNode

    public init(key: String, keyLocation: SourceLocation, value: ParameterNode) {
        self.key = key
        self.keyLocation = keyLocation
        self.value = value
    }
}

/// Parses YAML text into `ParameterNode`s, with locations relative to the enclosing file.
public enum YAMLReader {
    /// Parses `text`, whose first line is line `firstLine` of `file`.
    /// The line (1-based, within `text`) where a top-level key is written for the second time.
    static func secondOccurrence(of key: String?, in text: String) -> Int? {
        guard let key else { return nil }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let uses = lines.indices.filter { lines[$0].hasPrefix(key + ":") || lines[$0].hasPrefix("\"\(key)\":") }
        return uses.count > 1 ? uses[1] + 1 : nil
    }

    /// Returns nil for an empty document (only blanks and comments).
    public static func parse(_ text: String, file: String, firstLine: Int, what: String) throws(Diagnostic) -> ParameterNode? {
        func location(_ mark: Mark?) -> SourceLocation {
            SourceLocation(file: file, line: (mark?.line ?? 1) + firstLine - 1, column: mark?.column ?? 1)
        }
        if let found = YAMLAliasScan.first(in: text) {
            let written = (found.kind == "anchor" ? "&" : "*") + found.name
            throw Diagnostic("\(what) uses the YAML \(found.kind) `\(written)`. Lectern does not read anchors and aliases: nothing in "
                             + "a notebook needs them, and a few lines of them can expand to billions of values.",
                             at: SourceLocation(file: file, line: found.line + firstLine - 1, column: found.column),
                             hint: "Write the value out where it is used.")
        }
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            switch error {
            case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
                 let .composer(context, problem, mark, _):
                let detail = context.map { " (\($0.text))" } ?? ""
                throw Diagnostic("\(what) is not valid YAML: \(problem)\(detail).", at: location(mark),
                                 hint: "Parameters are written one per line as `name: value`.")
            case let .duplicatedKeysInMapping(duplicates, context):
                let names = duplicates.map { "`\($0)`" }.joined(separator: ", ")
                throw Diagnostic("\(what) gives \(names) more than once.",
                                 at: secondOccurrence(of: duplicates.first, in: text).map { SourceLocation(file: file, line: $0 + firstLine - 1, column: 1) }
                                     ?? location(context.mark),
                                 hint: "Keep one of them.")
            default:
                throw Diagnostic("\(what) could not be read as YAML: \(error).", at: location(nil))
            }
        } catch {
            throw Diagnostic("\(what) could not be read as YAML: \(error).", at: location(nil))
        }
        guard let node else { return nil }
        return try convert(node, location: location, what: what)
    }

    private static func convert(_ node: Node, location: (Mark?) -> SourceLocation, what: String) throws(Diagnostic) -> ParameterNode {
        switch node {
        case let .scalar(scalar):
            let quoted = scalar.style != .plain && scalar.style != .any
            return ParameterNode(.scalar(scalar.string, quoted: quoted), at: location(scalar.mark))
        case let .sequence(sequence):
            var items: [ParameterNode] = []
            for item in sequence { items.append(try convert(item, location: location, what: what)) }
            return ParameterNode(.sequence(items), at: location(sequence.mark))
        case let .mapping(mapping):
            var entries: [ParameterEntry] = []
            for (key, value) in mapping {
                guard case let .scalar(keyScalar) = key else {
                    throw Diagnostic("\(what) has a key that is not a plain name.", at: location(key.mark))
                }
                if let first = entries.first(where: { $0.key == keyScalar.string }) {
                    throw Diagnostic("`\(keyScalar.string)` is given twice in \(what) (first on line \(first.keyLocation.line)).",
                                     at: location(keyScalar.mark), hint: "Keep one of them.")
                }
                entries.append(ParameterEntry(key: keyScalar.string, keyLocation: location(keyScalar.mark),
                                              value: try convert(value, location: location, what: what)))
            }
            return ParameterNode(.mapping(entries), at: location(mapping.mark))
        case let .alias(alias):
            throw Diagnostic("\(what) uses a YAML alias; write the value out instead.", at: location(alias.mark))
        }
    }
}
