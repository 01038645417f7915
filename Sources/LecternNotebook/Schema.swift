/// A validated parameter value, typed by its schema.
public enum ParameterValue: Sendable, Equatable, CustomStringConvertible {
    case string(String)
    case integer(Int)
    case number(Double)
    case boolean(Bool)
    case list([ParameterValue])
    case mapping([NamedValue])

    public var description: String {
        switch self {
        case let .string(text): return text
        case let .integer(value): return String(value)
        case let .number(value): return String(value)
        case let .boolean(value): return String(value)
        case let .list(items): return "[" + items.map(\.description).joined(separator: ", ") + "]"
        case let .mapping(entries): return "{" + entries.map { "\($0.name): \($0.value)" }.joined(separator: ", ") + "}"
        }
    }
}

public struct NamedValue: Sendable, Equatable {
    public var name: String
    public var value: ParameterValue

    public init(name: String, value: ParameterValue) {
        self.name = name
        self.value = value
    }
}

/// What a parameter accepts. Scalars are typed here, not by YAML's resolver:
/// a quoted value is always text, and `5e-5` is a number wherever a number is expected.
public indirect enum ParameterKind: Sendable {
    case string
    case integer(min: Int, max: Int)
    case number(above: Double?, atMost: Double?)
    case boolean
    case choice([String])
    /// `true`, `false` or one of the named options (transformers' `truncation=True` or `"only_second"`).
    case booleanOrChoice([String])
    case list(of: ParameterKind)
    case mapping(of: ParameterKind)
    /// A fraction strictly between 0 and 1, or a whole count of at least 1 (as `test_size` in `datasets`).
    case fractionOrCount

    /// What a student should write, for error messages.
    public var expectation: String {
        switch self {
        case .string: return "text"
        case let .integer(min, max):
            return max == Int.max ? "a whole number of at least \(min)" : "a whole number from \(min) to \(max)"
        case let .number(above, atMost):
            switch (above, atMost) {
            case let (low?, high?): return "a number greater than \(low) and at most \(high)"
            case let (low?, nil): return "a number greater than \(low)"
            case let (nil, high?): return "a number of at most \(high)"
            case (nil, nil): return "a number"
            }
        case .boolean: return "`true` or `false`"
        case let .choice(options): return "one of " + options.map { "`\($0)`" }.joined(separator: ", ")
        case let .booleanOrChoice(options): return "`true`, `false` or one of " + options.map { "`\($0)`" }.joined(separator: ", ")
        case let .list(element): return "a list of \(element.expectation) values"
        case let .mapping(element): return "a mapping of names to \(element.expectation) values"
        case .fractionOrCount: return "a fraction between 0 and 1 (such as 0.2) or a whole count (such as 200)"
        }
    }

    /// Reads `node` as this kind; `key` names the parameter in messages.
    public func read(_ node: ParameterNode, key: String) throws(Diagnostic) -> ParameterValue {
        func mismatch(_ detail: String? = nil) -> Diagnostic {
            var message = "`\(key)` must be \(expectation), but it is `\(node.displayText)`"
            if let origin = node.origin { message += " (from \(origin))" }
            message += "."
            return Diagnostic(message, at: node.location, hint: detail)
        }
        switch self {
        case .list(let element):
            guard case let .sequence(items) = node.value else { throw mismatch("Write a list as `[a, b]` or one `- item` per line.") }
            var values: [ParameterValue] = []
            for item in items { values.append(try element.read(item, key: key)) }
            return .list(values)
        case .mapping(let element):
            guard case let .mapping(entries) = node.value else { throw mismatch("Write one `name: value` per line, indented under `\(key):`.") }
            var values: [NamedValue] = []
            for entry in entries { values.append(NamedValue(name: entry.key, value: try element.read(entry.value, key: "\(key).\(entry.key)"))) }
            return .mapping(values)
        default:
            break
        }
        guard case let .scalar(text, quoted) = node.value else { throw mismatch() }
        switch self {
        case .string:
            return .string(text)
        case let .choice(options):
            if options.contains(text) { return .string(text) }
            throw mismatch(Suggestion.closest(to: text, among: options).map { "Did you mean `\($0)`?" })
        case let .booleanOrChoice(options):
            if options.contains(text) { return .string(text) }
            if !quoted, let value = ["true": true, "True": true, "TRUE": true, "false": false, "False": false, "FALSE": false][text] { return .boolean(value) }
            throw mismatch(Suggestion.closest(to: text, among: options + ["true", "false"]).map { "Did you mean `\($0)`?" })
        case .boolean:
            guard !quoted else { throw mismatch("Write it without quotes.") }
            switch text {
            case "true", "True", "TRUE": return .boolean(true)
            case "false", "False", "FALSE": return .boolean(false)
            default: throw mismatch()
            }
        case let .integer(min, max):
            guard !quoted, let value = Int(text.replacingOccurrences(of: "_", with: "")) else { throw mismatch() }
            guard value >= min, value <= max else { throw mismatch() }
            return .integer(value)
        case let .number(above, atMost):
            guard !quoted, let value = Double(text), value.isFinite else { throw mismatch() }
            if let above, !(value > above) { throw mismatch() }
            if let atMost, !(value <= atMost) { throw mismatch() }
            return .number(value)
        case .fractionOrCount:
            guard !quoted else { throw mismatch() }
            if let count = Int(text) {
                guard count >= 1 else { throw mismatch() }
                return .integer(count)
            }
            guard let fraction = Double(text), fraction > 0, fraction < 1 else { throw mismatch() }
            return .number(fraction)
        case .list, .mapping:
            throw mismatch()
        }
    }
}

/// One parameter of a directive.
public struct ParameterSpec: Sendable {
    public var name: String
    public var kind: ParameterKind
    public var required: Bool
    public var defaultValue: ParameterValue?
    /// One sentence for `docs/directives.md` and `lectern check --explain`.
    public var summary: String

    public init(_ name: String, _ kind: ParameterKind, required: Bool = false, default defaultValue: ParameterValue? = nil, _ summary: String) {
        self.name = name
        self.kind = kind
        self.required = required
        self.defaultValue = defaultValue
        self.summary = summary
    }
}

/// The parameters a directive accepts.
public struct DirectiveSchema: Sendable {
    public var directive: DirectiveName
    public var parameters: [ParameterSpec]
    /// Parameters of which at most one may be given (e.g. `split` and `splits`).
    public var exclusiveGroups: [[String]]

    public init(_ directive: DirectiveName, parameters: [ParameterSpec], exclusiveGroups: [[String]] = []) {
        self.directive = directive
        self.parameters = parameters
        self.exclusiveGroups = exclusiveGroups
    }

    /// Checks a directive's body; returns typed arguments with defaults filled in,
    /// or every problem found, each at the key or value it concerns.
    public func validate(_ body: ParameterNode, directiveLocation: SourceLocation) throws(Diagnostics) -> DirectiveArguments {
        guard case let .mapping(entries) = body.value else {
            throw Diagnostics([Diagnostic("The `\(directive.rawValue)` block must hold `name: value` lines.", at: body.location)])
        }
        var problems: [Diagnostic] = []
        var arguments = DirectiveArguments(directive: directive, location: directiveLocation)
        let names = parameters.map(\.name)
        for entry in entries {
            guard let spec = parameters.first(where: { $0.name == entry.key }) else {
                let hint = Suggestion.closest(to: entry.key, among: names).map { "Did you mean `\($0)`?" }
                    ?? "`\(directive.rawValue)` accepts: " + names.map { "`\($0)`" }.joined(separator: ", ") + "."
                problems.append(Diagnostic("`\(directive.rawValue)` has no parameter `\(entry.key)`.", at: entry.keyLocation, hint: hint))
                continue
            }
            do throws(Diagnostic) {
                arguments.set(entry.key, try spec.kind.read(entry.value, key: entry.key), at: entry.value.location, keyAt: entry.keyLocation)
            } catch {
                problems.append(error)
            }
        }
        for spec in parameters where arguments[spec.name] == nil {
            if spec.required {
                problems.append(Diagnostic("`\(directive.rawValue)` needs `\(spec.name)`: \(spec.summary)", at: directiveLocation,
                                           hint: "Add a line `\(spec.name): ...` to the block."))
            } else if let value = spec.defaultValue {
                arguments.set(spec.name, value, at: directiveLocation, keyAt: nil)
            }
        }
        for group in exclusiveGroups {
            let given = group.filter { arguments.isGiven($0) }
            if given.count > 1, let location = arguments.keyLocation(of: given[1]) {
                problems.append(Diagnostic("`\(directive.rawValue)` takes only one of " + group.map { "`\($0)`" }.joined(separator: ", ") + ".",
                                           at: location, hint: "Remove `\(given[1])` or `\(given[0])`."))
            }
        }
        if !problems.isEmpty { throw Diagnostics(problems) }
        return arguments
    }
}

/// A directive's validated parameters, each with where it was written.
public struct DirectiveArguments: Sendable {
    public let directive: DirectiveName
    /// The directive's fence, where defaults "are written".
    public let location: SourceLocation
    private var values: [String: ParameterValue] = [:]
    private var locations: [String: SourceLocation] = [:]
    private var keyLocations: [String: SourceLocation] = [:]
    private var givenNames: [String] = []

    public init(directive: DirectiveName, location: SourceLocation) {
        self.directive = directive
        self.location = location
    }

    /// Records a value; `keyLocation` is nil for a default (the notebook did not write it).
    mutating func set(_ name: String, _ value: ParameterValue, at location: SourceLocation, keyAt keyLocation: SourceLocation?) {
        values[name] = value
        locations[name] = location
        if let keyLocation {
            keyLocations[name] = keyLocation
            givenNames.append(name)
        }
    }

    public subscript(name: String) -> ParameterValue? { values[name] }

    /// Whether the notebook wrote this parameter (rather than taking its default).
    public func isGiven(_ name: String) -> Bool { givenNames.contains(name) }

    /// The parameters the notebook wrote, in its order.
    public var given: [NamedValue] { givenNames.compactMap { name in values[name].map { NamedValue(name: name, value: $0) } } }

    /// Where the value of `name` was written (the directive's fence for a default).
    public func location(of name: String) -> SourceLocation? { locations[name] }

    /// Where the key `name` was written, if the notebook wrote it.
    public func keyLocation(of name: String) -> SourceLocation? { keyLocations[name] }

    /// A value by name, typed (directives read theirs through their settings' `Parameter`s instead).
    public func string(_ name: String) -> String? { values[name]?.text }
    public func integer(_ name: String) -> Int? { values[name]?.whole }
    public func number(_ name: String) -> Double? { values[name]?.real }
    public func boolean(_ name: String) -> Bool? { values[name]?.flag }

    /// A diagnostic about a parameter's value, found while running.
    public func problem(_ message: String, with name: String, hint: String? = nil) -> Diagnostic {
        Diagnostic(message, at: location(of: name) ?? location, hint: hint)
    }
}
