import Foundation

/// The values of a notebook's `params`, after `--params FILE` and `--set name=value`,
/// and their substitution for `${name}` in directive bodies.
///
/// Precedence, lowest first: the front matter, the parameters file, `--set`.
public struct ParameterBindings: Sendable {
    /// One parameter's value and where it came from.
    public struct Binding: Sendable {
        public var name: String
        public var value: ParameterNode
        /// "front matter", "params.yaml" or "--set".
        public var source: String
    }

    /// All bindings, in the front matter's order, then new names in the order given.
    public private(set) var bindings: [Binding] = []
    /// The notebook seed after overrides (`--set seed=N` changes it).
    public private(set) var seed: Int?

    public init(frontMatter: FrontMatter) {
        bindings = frontMatter.params.map { Binding(name: $0.key, value: $0.value, source: "front matter") }
        seed = frontMatter.seed
    }

    public subscript(name: String) -> Binding? { bindings.first { $0.name == name } }

    /// Overrides values with the mapping in a YAML parameters file (`--params`).
    public mutating func apply(parametersFile path: String) throws(Diagnostics) {
        let location = SourceLocation(file: path, line: 1, column: 1)
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw Diagnostics([Diagnostic("Cannot read the parameters file: \(error.localizedDescription)", at: location)])
        }
        let node: ParameterNode?
        do throws(Diagnostic) {
            node = try YAMLReader.parse(text, file: path, firstLine: 1, what: "The parameters file")
        } catch {
            throw Diagnostics([error])
        }
        guard let node else { return }
        guard case let .mapping(entries) = node.value else {
            throw Diagnostics([Diagnostic("The parameters file must hold `name: value` lines.", at: node.location)])
        }
        var problems: [Diagnostic] = []
        for entry in entries {
            do throws(Diagnostic) { try override(entry.key, with: entry.value, at: entry.keyLocation, source: path) } catch { problems.append(error) }
        }
        if !problems.isEmpty { throw Diagnostics(problems) }
    }

    /// Overrides one value from `--set name=value`; the value is read as a YAML scalar.
    public mutating func apply(assignment: String) throws(Diagnostic) {
        let location = SourceLocation(file: "--set", line: 1, column: 1)
        guard let equals = assignment.firstIndex(of: "="), equals != assignment.startIndex else {
            throw Diagnostic("`--set \(assignment)` must have the form `name=value`.", at: location)
        }
        let name = String(assignment[..<equals])
        let text = String(assignment[assignment.index(after: equals)...])
        try override(name, with: ParameterNode(.scalar(text, quoted: false), at: location), at: location, source: "--set")
    }

    private mutating func override(_ name: String, with value: ParameterNode, at location: SourceLocation, source: String) throws(Diagnostic) {
        if name == "seed" {
            guard case let .integer(seed) = try ParameterKind.integer(min: 0, max: Int(UInt32.max)).read(value, key: "seed") else { return }
            self.seed = seed
            return
        }
        guard let index = bindings.firstIndex(where: { $0.name == name }) else {
            let known = bindings.map(\.name) + ["seed"]
            let hint = Suggestion.closest(to: name, among: known).map { "Did you mean `\($0)`?" }
                ?? "The notebook's parameters are: " + known.map { "`\($0)`" }.joined(separator: ", ") + " (declare new ones under `params:` in the front matter)."
            throw Diagnostic("The notebook has no parameter `\(name)`.", at: location, hint: hint)
        }
        bindings[index].value = value
        bindings[index].source = source
    }

    /// Replaces every `${name}` in a directive body. A scalar that is exactly `${name}` takes the
    /// parameter's value as it is (a number stays a number); inside other text it is spliced in as text.
    public func substitute(_ node: ParameterNode) throws(Diagnostic) -> ParameterNode {
        var result = node
        switch node.value {
        case let .sequence(items):
            var substituted: [ParameterNode] = []
            for item in items { substituted.append(try substitute(item)) }
            result.value = .sequence(substituted)
        case let .mapping(entries):
            var substituted: [ParameterEntry] = []
            for var entry in entries {
                entry.value = try substitute(entry.value)
                substituted.append(entry)
            }
            result.value = .mapping(substituted)
        case let .scalar(text, _):
            guard text.contains("${") else { return node }
            let references = Self.references(in: text)
            if references.isEmpty { return node }
            if references.count == 1, references[0].range == text.startIndex..<text.endIndex {
                let binding = try lookUp(references[0].name, at: node.location)
                return ParameterNode(binding.value.value, at: node.location,
                                     origin: "parameter `\(binding.name)` set in \(binding.source)")
            }
            var spliced = text
            for reference in references.reversed() {
                let binding = try lookUp(reference.name, at: node.location)
                guard let value = binding.value.scalarText else {
                    throw Diagnostic("`${\(reference.name)}` is a list or mapping and cannot be placed inside text.", at: node.location)
                }
                spliced.replaceSubrange(reference.range, with: value)
            }
            // Text with a parameter spliced in is text, whatever the parameter was.
            result = ParameterNode(.scalar(spliced, quoted: true), at: node.location,
                                   origin: "text with parameters substituted")
        }
        return result
    }

    private func lookUp(_ name: String, at location: SourceLocation) throws(Diagnostic) -> Binding {
        if let binding = self[name] { return binding }
        let hint = Suggestion.closest(to: name, among: bindings.map(\.name)).map { "Did you mean `${\($0)}`?" }
            ?? "Declare it under `params:` in the front matter, or pass `--set \(name)=VALUE`."
        throw Diagnostic("`${\(name)}` names no parameter of this notebook.", at: location, hint: hint)
    }

    private static func references(in text: String) -> [(name: String, range: Range<String.Index>)] {
        var found: [(String, Range<String.Index>)] = []
        var searchStart = text.startIndex
        while let open = text.range(of: "${", range: searchStart..<text.endIndex) {
            guard let close = text[open.upperBound...].firstIndex(of: "}") else { break }
            let name = String(text[open.upperBound..<close])
            if !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) {
                found.append((name, open.lowerBound..<text.index(after: close)))
            }
            searchStart = text.index(after: close)
        }
        return found
    }
}
