import LecternNotebook
import LecternRunner

/// Stage 1, parse: a notebook file and the parameter values given for this run (`--set`, `--params`).
public struct LessonSource: Sendable {
    public var path: String
    /// `name=value` assignments, applied after the parameters file.
    public var assignments: [String]
    /// A YAML file of parameter values.
    public var parametersFile: String?

    public init(path: String, assignments: [String] = [], parametersFile: String? = nil) {
        self.path = path
        self.assignments = assignments
        self.parametersFile = parametersFile
    }

    /// The parsed notebook with its parameters bound; throws every problem found, each at its line.
    public func parse() throws(Diagnostics) -> ParsedLesson {
        let notebook = try NotebookParser.parse(contentsOf: path, directives: DirectiveRegistry.standard.names)
        var bindings = ParameterBindings(frontMatter: notebook.frontMatter)
        var problems: [Diagnostic] = []
        if let parametersFile {
            do { try bindings.apply(parametersFile: parametersFile) } catch { problems += error.all }
        }
        for assignment in assignments {
            do { try bindings.apply(assignment: assignment) } catch { problems.append(error) }
        }
        if !problems.isEmpty { throw Diagnostics(problems) }
        return ParsedLesson(notebook: notebook, bindings: bindings)
    }
}

/// A notebook with its parameter values: what the later stages read.
public struct ParsedLesson: Sendable {
    public let notebook: Notebook
    public let bindings: ParameterBindings

    public init(notebook: Notebook, bindings: ParameterBindings) {
        self.notebook = notebook
        self.bindings = bindings
    }

    /// The notebook seed: front matter or `--set seed=`, else 42 (the Trainer's default).
    public var seed: Int { bindings.seed ?? 42 }
}
