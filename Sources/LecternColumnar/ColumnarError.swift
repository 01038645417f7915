/// A file Lectern cannot read as a table, with what is wrong in words a student can act on.
public struct ColumnarError: Error, CustomStringConvertible, Sendable, Equatable {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }

    /// The message for bytes that end before a structure does.
    static let truncated = ColumnarError("The file ends in the middle of its data: it is truncated or damaged. Copy or download it again.")
}
