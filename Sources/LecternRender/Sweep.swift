/// `--set name=a,b` sweeps a parameter over values; every combination of the swept parameters
/// is one variant of the notebook. `\,` keeps a comma in a value.
public struct Sweep: Sendable {
    public struct Axis: Sendable {
        public var name: String
        public var values: [String]
    }

    /// Assignments with a single value, applied to every variant.
    public var fixed: [String] = []
    public var axes: [Axis] = []

    public init(assignments: [String]) {
        for assignment in assignments {
            guard let equals = assignment.firstIndex(of: "=") else {
                fixed.append(assignment)
                continue
            }
            let name = String(assignment[..<equals])
            let values = Self.split(String(assignment[assignment.index(after: equals)...]))
            if values.count > 1 {
                axes.append(Axis(name: name, values: values))
            } else {
                fixed.append(name + "=" + (values.first ?? ""))
            }
        }
    }

    public var isSweep: Bool { !axes.isEmpty }

    /// Every combination, the first axis varying slowest, as `name=value` assignments.
    public var variants: [[(name: String, value: String)]] {
        axes.reduce([[]]) { partial, axis in
            partial.flatMap { prefix in axis.values.map { prefix + [(name: axis.name, value: $0)] } }
        }
    }

    /// Splits at commas that are not escaped as `\,`.
    public static func split(_ text: String) -> [String] {
        var values: [String] = [], current = ""
        var escaped = false
        for character in text {
            if escaped {
                current.append(character == "," ? "," : "\\\(character)")
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "," {
                values.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        if escaped { current.append("\\") }
        values.append(current)
        return values
    }
}
