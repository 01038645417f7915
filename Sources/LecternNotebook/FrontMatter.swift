/// The YAML between the `---` lines at the top of a notebook.
///
/// ```yaml
/// ---
/// title: Fine-tuning BERT on AG News
/// seed: 42
/// params:
///   model: sentence-transformers/all-MiniLM-L6-v2
/// ---
/// ```
public struct FrontMatter: Sendable {
    public var title: String?
    public var author: String?
    public var date: String?
    public var description: String?
    /// Named values for `${name}` in directive bodies, in the order written.
    public var params: [ParameterEntry]
    /// The notebook-wide seed: directives that shuffle or initialise use it unless they set their own.
    public var seed: Int?

    public init(title: String? = nil, author: String? = nil, date: String? = nil, description: String? = nil,
                params: [ParameterEntry] = [], seed: Int? = nil) {
        self.title = title
        self.author = author
        self.date = date
        self.description = description
        self.params = params
        self.seed = seed
    }

    /// The keys a front matter may have.
    public static let keys = ["title", "author", "date", "description", "params", "seed"]

    /// Reads a front matter from its parsed YAML.
    public init(_ node: ParameterNode?) throws(Diagnostics) {
        self.init()
        guard let node else { return }
        guard case let .mapping(entries) = node.value else {
            throw Diagnostics([Diagnostic("The front matter must be a list of `name: value` lines.", at: node.location)])
        }
        var problems: [Diagnostic] = []
        func text(_ entry: ParameterEntry) -> String? {
            if let value = entry.value.scalarText { return value }
            problems.append(Diagnostic("`\(entry.key)` in the front matter must be a single line of text.", at: entry.value.location))
            return nil
        }
        for entry in entries {
            switch entry.key {
            case "title": title = text(entry)
            case "author": author = text(entry)
            case "date": date = text(entry)
            case "description": description = text(entry)
            case "seed":
                do throws(Diagnostic) {
                    if case let .integer(value) = try ParameterKind.integer(min: 0, max: Int(UInt32.max)).read(entry.value, key: "seed") {
                        seed = value
                    }
                } catch { problems.append(error) }
            case "params":
                switch entry.value.value {
                case let .mapping(values): params = values
                case .scalar("", _): params = []
                default:
                    problems.append(Diagnostic("`params` in the front matter must be a mapping of names to values.", at: entry.value.location,
                                               hint: "Write one `name: value` per line, indented under `params:`."))
                }
            default:
                let hint = Suggestion.closest(to: entry.key, among: Self.keys).map { "Did you mean `\($0)`?" }
                    ?? "The front matter may have: " + Self.keys.map { "`\($0)`" }.joined(separator: ", ") + "."
                problems.append(Diagnostic("Unknown front matter key `\(entry.key)`.", at: entry.keyLocation, hint: hint))
            }
        }
        if !problems.isEmpty { throw Diagnostics(problems) }
    }
}
