import ArgumentParser
import Foundation
import LecternFiles
import LecternRunner

/// `lectern reference`: every directive's parameters as Markdown tables, made from the directives'
/// settings (docs/directives.md holds them; `--update` rewrites its marked tables).
struct Reference: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print every directive's parameters, or rewrite the tables in a reference file.")

    @Option(name: .long, help: "A Markdown file whose `<!-- parameters: NAME -->` tables to rewrite.")
    var update: String?

    func run() throws {
        let registry = DirectiveRegistry.standard
        guard let update else {
            for name in registry.names {
                guard let handler = registry.handler(for: name) else { continue }
                print("## `\(name.rawValue)`\n\n" + DirectiveReference.table(handler.directiveSchema) + "\n")
            }
            return
        }
        let text = try String(contentsOfFile: update, encoding: .utf8)
        try AtomicFile.write(DirectiveReference.updated(text, registry: registry), to: update)
    }
}
