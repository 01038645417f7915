/// A place in a notebook (or a parameters file): 1-based line and column, columns counted
/// in Unicode scalars as editors do.
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:column`, the form editors and terminals turn into links.
    public var description: String { "\(file):\(line):\(column)" }
}

/// A problem found in a notebook before or while it runs, told to a student:
/// where it is, what is wrong, and (when we know) what to write instead.
public struct Diagnostic: Error, Hashable, Sendable, CustomStringConvertible {
    public var location: SourceLocation
    public var message: String
    /// A suggestion, e.g. "did you mean `per_device_train_batch_size`?".
    public var hint: String?

    public init(_ message: String, at location: SourceLocation, hint: String? = nil) {
        self.location = location
        self.message = message
        self.hint = hint
    }

    /// One paragraph in the form compilers use: `notebook.md:12:3: error: message hint`.
    public var description: String {
        var text = "\(location): error: \(message)"
        // After a list (a multi-line message), the hint reads better on its own line.
        if let hint { text += (message.contains("\n") ? "\n" : " ") + hint }
        return text
    }
}

/// Several diagnostics found together, so a student can fix them all in one go.
public struct Diagnostics: Error, Sendable, CustomStringConvertible {
    public var all: [Diagnostic]

    public init(_ all: [Diagnostic]) { self.all = all }

    public var description: String { all.map(\.description).joined(separator: "\n") }
}
