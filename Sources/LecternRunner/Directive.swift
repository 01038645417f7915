import LecternNotebook
import LecternTranscript

/// What a directive leaves in the session for later cells, and what it needs from earlier ones.
public enum SessionResource: String, Sendable, CaseIterable {
    case dataset, tokenizer, model
}

/// A directive Lectern can run: its schema, its place in the session, and its work.
public protocol DirectiveHandler: Sendable {
    static var name: DirectiveName { get }
    static var schema: DirectiveSchema { get }
    /// Resources an earlier cell must have produced (for these arguments).
    static func needs(_ arguments: DirectiveArguments) -> [SessionResource]
    /// Resources this cell produces.
    static var provides: [SessionResource] { get }

    /// Checks across parameters that a schema cannot express; empty when all is well.
    static func check(_ arguments: DirectiveArguments) -> [Diagnostic]

    /// Runs the cell against the session; throws a diagnostic pointing at the notebook.
    func run(_ arguments: DirectiveArguments, session: inout Session, context: RunContext) throws(Diagnostic) -> CellResult

    /// Whether `CellCache` may reuse this cell's results (cells that are quick to run, and that
    /// leave state later cells need, simply run again).
    static var cacheable: Bool { get }
    /// The files or folders this cell reads (resolved from its arguments); their content hashes
    /// are part of its cache key. Empty when it reads nothing beyond what earlier cells made.
    func inputs(_ arguments: DirectiveArguments, context: RunContext) -> [String]
    /// Writes what this cell leaves in the session into its cache entry (a `train` cell: the weights).
    func saveState(_ arguments: DirectiveArguments, session: Session, to folder: String) throws
    /// Puts back what `saveState` wrote, in place of running.
    func restoreState(_ arguments: DirectiveArguments, session: inout Session, from folder: String, context: RunContext) throws(Diagnostic)
}

extension DirectiveHandler {
    public static func check(_ arguments: DirectiveArguments) -> [Diagnostic] { [] }
    public static func needs(_ arguments: DirectiveArguments) -> [SessionResource] { [] }
    public static var cacheable: Bool { false }
    public func inputs(_ arguments: DirectiveArguments, context: RunContext) -> [String] { [] }
    public func saveState(_ arguments: DirectiveArguments, session: Session, to folder: String) throws {}
    public func restoreState(_ arguments: DirectiveArguments, session: inout Session, from folder: String, context: RunContext) throws(Diagnostic) {}
}

/// What a directive produced: machine-readable outputs and what a reader sees.
public struct CellResult: Sendable {
    public var outputs: JSONValue
    public var blocks: [OutputBlock]

    public init(outputs: JSONValue, blocks: [OutputBlock]) {
        self.outputs = outputs
        self.blocks = blocks
    }
}

/// The directives this build of Lectern can run: the only list of them. The parser takes its
/// names (`names`) to tell directive blocks from code, so a new directive is a handler added here.
public struct DirectiveRegistry: Sendable {
    private var handlers: [DirectiveName: any DirectiveHandler]
    /// The directives' names, in the order they were registered.
    public let names: [DirectiveName]

    public init(_ handlers: [any DirectiveHandler]) {
        self.handlers = Dictionary(uniqueKeysWithValues: handlers.map { (type(of: $0).name, $0) })
        names = handlers.map { type(of: $0).name }
    }

    /// Every directive this build supports.
    public static let standard = DirectiveRegistry([LoadDirective(), TokenizeDirective(), TrainDirective(), EvaluateDirective(), PredictDirective()])

    public func handler(for name: DirectiveName) -> (any DirectiveHandler)? { handlers[name] }


}
