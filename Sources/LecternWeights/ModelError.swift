/// A problem with a model's files (weights, config, tokenizer), naming the file and,
/// where it applies, the tensor or key.
public struct ModelError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var message: String
    public var hint: String?

    public init(_ message: String, file: String, hint: String? = nil) {
        self.file = file
        self.message = message
        self.hint = hint
    }

    /// The file and what is wrong with it, without the hint.
    public var statement: String { "\(file): \(message)" }

    public var description: String {
        statement + (hint.map { (message.contains("\n") ? "\n" : " ") + $0 } ?? "")
    }
}
