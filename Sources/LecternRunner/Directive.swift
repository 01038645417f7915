import LecternNotebook
import LecternTranscript

/// What a directive leaves in the session for later cells, and what it needs from earlier ones.
public enum SessionResource: String, Sendable, CaseIterable {
    case dataset, tokenizer, model
}

/// A directive's parameters as one typed value: the parameters it declares (its schema) and their
/// values read once from a validated cell. Groups that several directives share (`ModelChoice`,
/// `PrecisionChoice`, `EvaluationBatch`, `TokenLimit`) are settings values of their own.
public protocol DirectiveSettings: Sendable {
    /// Every parameter, in the order the reference lists them.
    static var parameters: [ParameterSpec] { get }
    /// Parameters of which at most one may be given (e.g. `split` and `splits`).
    static var exclusiveGroups: [[String]] { get }
    /// The typed values of a cell's validated arguments (defaults filled in).
    init(_ arguments: DirectiveArguments)
    /// Checks across parameters that a schema cannot express; empty when all is well.
    func check() -> [Diagnostic]
    /// Checks against the cells above it, in notebook order (e.g. metrics that the loaded data's task
    /// cannot compute); the runner hands every earlier cell's settings and knows none of them.
    func check(after earlier: [any DirectiveSettings]) -> [Diagnostic]
}

extension DirectiveSettings {
    public static var exclusiveGroups: [[String]] { [] }
    public func check() -> [Diagnostic] { [] }
    public func check(after earlier: [any DirectiveSettings]) -> [Diagnostic] { [] }
}

/// A line a cell adds to the run header, merged with the same label from other cells: `value` is
/// given the cells that asked, as "`train` (line 40), `evaluate` (line 52)".
public struct RunHeaderNote: Sendable {
    public var label: String
    public var value: @Sendable (_ cells: String) -> String

    public init(label: String, value: @escaping @Sendable (_ cells: String) -> String) {
        self.label = label
        self.value = value
    }
}

/// A directive Lectern can run: its settings, its place in the session, and its work.
public protocol DirectiveHandler: Sendable {
    associatedtype Settings: DirectiveSettings
    static var name: DirectiveName { get }
    /// Resources an earlier cell must have produced (for these settings).
    static func needs(_ settings: Settings) -> [SessionResource]
    /// Resources this cell produces.
    static var provides: [SessionResource] { get }

    /// Runs the cell against the session; throws a diagnostic pointing at the notebook.
    func run(_ settings: Settings, session: inout Session, context: RunContext) throws(Diagnostic) -> CellResult

    /// Whether `CellCache` may reuse this cell's results (cells that are quick to run, and that
    /// leave state later cells need, simply run again).
    static var cacheable: Bool { get }
    /// The files or folders this cell reads (resolved from its settings); their content hashes
    /// are part of its cache key. Empty when it reads nothing beyond what earlier cells made.
    func inputs(_ settings: Settings, context: RunContext) -> [String]
    /// What its results depend on beyond its parameters, the seed and its files (e.g. the precision
    /// this CPU gives `bf16: true`): part of its cache key.
    static func cacheKeyParts(_ settings: Settings) -> [String]
    /// What the cell adds to the run header.
    static func runHeader(_ settings: Settings) -> [RunHeaderNote]
    /// Writes what this cell leaves in the session into its cache entry (a `train` cell: the weights).
    func saveState(_ settings: Settings, session: Session, to folder: String) throws
    /// Puts back what `saveState` wrote, in place of running.
    func restoreState(_ settings: Settings, session: inout Session, from folder: String, context: RunContext) throws(Diagnostic)
}

extension DirectiveHandler {
    public static func needs(_ settings: Settings) -> [SessionResource] { [] }
    public static var cacheable: Bool { false }
    public func inputs(_ settings: Settings, context: RunContext) -> [String] { [] }
    public static func cacheKeyParts(_ settings: Settings) -> [String] { [] }
    public static func runHeader(_ settings: Settings) -> [RunHeaderNote] { [] }
    public func saveState(_ settings: Settings, session: Session, to folder: String) throws {}
    public func restoreState(_ settings: Settings, session: inout Session, from folder: String, context: RunContext) throws(Diagnostic) {}

    /// The parameters a cell may give: the settings' declarations.
    public static var schema: DirectiveSchema {
        DirectiveSchema(name, parameters: Settings.parameters, exclusiveGroups: Settings.exclusiveGroups)
    }

    /// `schema` and `provides` for a handler the registry holds as `any DirectiveHandler`.
    public var directiveSchema: DirectiveSchema { Self.schema }
    var providedResources: [SessionResource] { Self.provides }

    /// The cell bound to its settings, read once from `arguments`: what the runner calls.
    func bind(_ arguments: DirectiveArguments) -> BoundCell {
        let settings = Settings(arguments)
        return BoundCell(
            arguments: arguments, settings: settings, needs: Self.needs(settings), provides: Self.provides, cacheable: Self.cacheable,
            problems: settings.check(), cacheKeyParts: Self.cacheKeyParts(settings), runHeader: Self.runHeader(settings),
            run: { session, context throws(Diagnostic) in try self.run(settings, session: &session, context: context) },
            inputs: { context in self.inputs(settings, context: context) },
            saveState: { session, folder in try self.saveState(settings, session: session, to: folder) },
            restoreState: { session, folder, context throws(Diagnostic) in
                try self.restoreState(settings, session: &session, from: folder, context: context)
            })
    }
}

/// A directive cell bound to its typed settings: the runner calls these and knows no parameter names.
struct BoundCell: Sendable {
    let arguments: DirectiveArguments
    let settings: any DirectiveSettings
    let needs: [SessionResource]
    let provides: [SessionResource]
    let cacheable: Bool
    let problems: [Diagnostic]
    let cacheKeyParts: [String]
    let runHeader: [RunHeaderNote]
    let run: @Sendable (inout Session, RunContext) throws(Diagnostic) -> CellResult
    let inputs: @Sendable (RunContext) -> [String]
    let saveState: @Sendable (Session, String) throws -> Void
    let restoreState: @Sendable (inout Session, String, RunContext) throws(Diagnostic) -> Void
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
