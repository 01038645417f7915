import Foundation
import LecternEngine
import LecternNotebook

/// A classifier a cell names with `model:` (a checkpoint folder or model name) rather than the one
/// trained above it: `predict` and `evaluate` load it the same way.
enum NamedModel {
    struct Loaded {
        var folder: String
        var model: SequenceClassifier
        /// transformers' notices (e.g. a newly initialised head).
        var notices: [String]
    }

    /// Resolves and loads the model `name` (nil: none named); a checkpoint without label names takes the loaded dataset's.
    static func load(_ name: String?, arguments: DirectiveArguments, session: inout Session, context: RunContext) throws(Diagnostic) -> Loaded? {
        guard let name else { return nil }
        do {
            let folder = try ModelResolver.resolve(name, relativeTo: context.baseFolder)
            session.recordInput(kind: .model, name: name, path: folder, hashes: context.hashes)
            let config = try ModelConfig(contentsOf: (folder as NSString).appendingPathComponent("config.json"))
            var labels: [String]? = nil
            if !config.hasLabelNames, let dataset = session.dataset?.dataset { labels = dataset.labelNames }
            let checkpoint = try ModelCheckpoint(folder: folder, labels: labels, seed: UInt64(context.seed))
            return Loaded(folder: folder, model: SequenceClassifier(parameters: checkpoint.parameters), notices: checkpoint.notices)
        } catch {
            throw arguments.problem(error.statement, with: ModelChoice.instead, hint: error.hint)
        }
    }

    /// The cache-key input of a cell with `model:`: the resolved folder.
    static func inputs(_ name: String?, context: RunContext) -> [String] {
        name.flatMap { try? ModelResolver.resolve($0, relativeTo: context.baseFolder) }.map { [$0] } ?? []
    }
}
