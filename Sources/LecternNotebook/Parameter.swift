/// A directive parameter declared once, as swift-argument-parser's `@Option` is: its name, what it
/// accepts, its default and its summary (`spec`), and how its validated value reads as a Swift value.
/// A directive's settings read each of theirs through `arguments[parameter]`, typed, never by a
/// string key.
///
/// ```swift
/// static let learningRate = Parameter<Double>.number("learning_rate", above: 0, atMost: 10, default: 5e-5, "The peak learning rate.")
/// let rate: Double = arguments[learningRate]   // the notebook's value, else 5e-5
/// ```
public struct Parameter<Value: Sendable>: Sendable {
    public let spec: ParameterSpec
    private let decode: @Sendable (ParameterValue?) -> Value

    /// `decode` reads the value `spec.kind` validated (nil: not given and no default).
    public init(_ spec: ParameterSpec, decode: @escaping @Sendable (ParameterValue?) -> Value) {
        self.spec = spec
        self.decode = decode
    }

    public var name: String { spec.name }

    func value(in arguments: DirectiveArguments) -> Value { decode(arguments[spec.name]) }
}

extension DirectiveArguments {
    /// The typed value of a declared parameter: the notebook's, else its default.
    public subscript<Value>(_ parameter: Parameter<Value>) -> Value { parameter.value(in: self) }

    /// Whether the notebook wrote this parameter.
    public func isGiven<Value>(_ parameter: Parameter<Value>) -> Bool { isGiven(parameter.name) }

    /// A diagnostic at the value of `parameter` (the directive's fence for a default).
    public func problem<Value>(_ message: String, with parameter: Parameter<Value>, hint: String? = nil) -> Diagnostic {
        problem(message, with: parameter.name, hint: hint)
    }
}

/// Typed reads of validated values (the schema has already held each to its kind).
extension ParameterValue {
    public var text: String? { if case let .string(value) = self { return value } else { return nil } }
    public var whole: Int? { if case let .integer(value) = self { return value } else { return nil } }
    public var real: Double? {
        switch self {
        case let .number(value): return value
        case let .integer(value): return Double(value)
        default: return nil
        }
    }
    public var flag: Bool? { if case let .boolean(value) = self { return value } else { return nil } }
}

extension Parameter where Value == String {
    /// Text with a default.
    public static func text(_ name: String, default value: String, _ summary: String) -> Self {
        Parameter(ParameterSpec(name, .string, default: .string(value), summary)) { $0?.text ?? value }
    }

    /// Text the notebook must give (validation refuses a cell without it).
    public static func requiredText(_ name: String, _ summary: String) -> Self {
        Parameter(ParameterSpec(name, .string, required: true, summary)) { $0?.text ?? "" }
    }
}

extension Parameter where Value == String? {
    /// Optional text (its summary says what its absence means).
    public static func text(_ name: String, _ summary: String) -> Self {
        Parameter(ParameterSpec(name, .string, summary)) { $0?.text }
    }
}

extension Parameter where Value == Int {
    public static func integer(_ name: String, _ range: ClosedRange<Int>, default value: Int, _ summary: String) -> Self {
        Parameter(ParameterSpec(name, .integer(min: range.lowerBound, max: range.upperBound), default: .integer(value), summary)) { $0?.whole ?? value }
    }
}

extension Parameter where Value == Int? {
    public static func integer(_ name: String, _ range: ClosedRange<Int>, _ summary: String) -> Self {
        Parameter(ParameterSpec(name, .integer(min: range.lowerBound, max: range.upperBound), summary)) { $0?.whole }
    }
}

extension Parameter where Value == Double {
    public static func number(_ name: String, above: Double? = nil, atMost: Double? = nil, default value: Double, _ summary: String) -> Self {
        Parameter(ParameterSpec(name, .number(above: above, atMost: atMost), default: .number(value), summary)) { $0?.real ?? value }
    }
}

extension Parameter where Value == Double? {
    public static func number(_ name: String, above: Double? = nil, atMost: Double? = nil, _ summary: String) -> Self {
        Parameter(ParameterSpec(name, .number(above: above, atMost: atMost), summary)) { $0?.real }
    }
}

extension Parameter where Value == Bool {
    public static func flag(_ name: String, default value: Bool, _ summary: String) -> Self {
        Parameter(ParameterSpec(name, .boolean, default: .boolean(value), summary)) { $0?.flag ?? value }
    }
}

extension Parameter where Value == Bool? {
    /// A boolean whose absence means something else than `true` or `false` (e.g. "decided by the metric").
    public static func flag(_ name: String, _ summary: String) -> Self {
        Parameter(ParameterSpec(name, .boolean, summary)) { $0?.flag }
    }
}

extension Parameter where Value: RawRepresentable & CaseIterable & Sendable, Value.RawValue == String {
    /// One of an enumeration's raw values, read as the enumeration.
    public static func choice(_ name: String, default value: Value, _ summary: String) -> Self {
        Parameter(ParameterSpec(name, .choice(Value.allCases.map(\.rawValue)), default: .string(value.rawValue), summary)) {
            $0?.text.flatMap(Value.init(rawValue:)) ?? value
        }
    }
}

extension Parameter {
    /// An optional choice among an enumeration's raw values.
    public static func choice<Choice>(_ name: String, _ summary: String) -> Self
        where Value == Choice?, Choice: RawRepresentable & CaseIterable & Sendable, Choice.RawValue == String {
        Parameter(ParameterSpec(name, .choice(Choice.allCases.map(\.rawValue)), summary)) { $0?.text.flatMap(Choice.init(rawValue:)) }
    }

    /// A list of an enumeration's raw values, read as the enumeration, in the notebook's order.
    public static func choices<Choice>(_ name: String, default values: [Choice], _ summary: String) -> Self
        where Value == [Choice], Choice: RawRepresentable & CaseIterable & Sendable, Choice.RawValue == String {
        Parameter(ParameterSpec(name, .list(of: .choice(Choice.allCases.map(\.rawValue))), default: .list(values.map { .string($0.rawValue) }), summary)) {
            guard case let .list(items)? = $0 else { return values }
            return items.compactMap { $0.text.flatMap(Choice.init(rawValue:)) }
        }
    }
}
