import ArgumentParser
import Foundation
import LecternFiles
import LecternNotebook
import LecternRunner

/// `lectern new NAME [--from NOTEBOOK]`: a lesson variant to edit, or a starter lesson.
struct New: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Start a lesson: a copy of a notebook to vary (--from), or a starter notebook.",
        discussion: "NAME becomes NAME.md beside the notebook it comes from (or in notebooks/, else here); give a path to choose.")

    @Argument(help: "The new notebook's name or path.")
    var name: String

    @Option(help: ArgumentHelp("The notebook to start from.", valueName: "notebook"))
    var from: String?

    func run() throws {
        let target = targetPath()
        guard !FileManager.default.fileExists(atPath: target) else {
            printError("error: \(target) already exists; choose another name, or delete it first.")
            throw ExitCode(1)
        }
        let source: String
        if let from {
            guard let data = FileManager.default.contents(atPath: from), let text = String(data: data, encoding: .utf8) else {
                printError("error: cannot read \(from) as a UTF-8 notebook.")
                throw ExitCode(1)
            }
            source = text
        } else {
            source = Self.starter
        }
        let title = Self.title(of: source, path: from) + " — " + URL(fileURLWithPath: target).deletingPathExtension().lastPathComponent
        let note = "<!-- Made with `lectern new` \(from.map { "from \($0) " } ?? "")on \(Self.today()). -->"
        let text = Self.retitled(source, title: title, note: note)
        do { _ = try NotebookParser.parse(text: text, path: target, directives: DirectiveRegistry.standard.names) } catch {
            report(error.all)
            throw ExitCode(1)
        }
        do { try AtomicFile.write(text, to: target) } catch {
            printError("error: \(error)")
            throw ExitCode(2)
        }
        print("Created \(target)\(from.map { " from \($0)" } ?? ""). Change its parameters in the front matter (or with --set), then:")
        print("  lectern run \(target)      # or: lectern watch \(target)")
    }

    /// NAME.md beside the source notebook (or in notebooks/ if there is one, else here); paths are kept as given.
    func targetPath() -> String {
        let file = name.hasSuffix(".md") ? name : name + ".md"
        if name.contains("/") { return file }
        if let from { return (parentFolder(of: from) as NSString).appendingPathComponent(file) }
        var isFolder: ObjCBool = false
        return FileManager.default.fileExists(atPath: "notebooks", isDirectory: &isFolder) && isFolder.boolValue ? "notebooks/" + file : file
    }

    static func title(of text: String, path: String?) -> String {
        (try? NotebookParser.parse(text: text, path: path ?? "new.md", directives: DirectiveRegistry.standard.names).title) ?? "Lesson"
    }

    /// Sets the front matter's `title` (adding front matter if there is none) and puts `note` after it.
    static func retitled(_ text: String, title: String, note: String) -> String {
        let quoted = "title: \"" + title.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.first?.trimmingCharacters(in: .whitespaces) == "---",
           let end = lines.indices.dropFirst().first(where: { ["---", "..."].contains(lines[$0].trimmingCharacters(in: .whitespaces)) }) {
            if let titleLine = lines[1..<end].firstIndex(where: { $0.hasPrefix("title:") }) {
                lines[titleLine] = quoted
            } else {
                lines.insert(quoted, at: 1)
            }
            let close = lines.indices.dropFirst().first { ["---", "..."].contains(lines[$0].trimmingCharacters(in: .whitespaces)) }!
            lines.insert(contentsOf: ["", note], at: close + 1)
            return lines.joined(separator: "\n")
        }
        return "---\n\(quoted)\n---\n\n\(note)\n\n" + text
    }

    static func today() -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.locale = Locale(identifier: "en_US_POSIX")
        return formatter.string(from: Date())
    }

    /// A whole lesson in five cells, on data and a model that `make setup` installs.
    static let starter = """
        ---
        title: A new lesson
        seed: 42
        params:
          model: sentence-transformers/all-MiniLM-L6-v2
          epochs: 1
        ---

        # A new lesson

        Write what the student will learn here. Every block below runs; change its parameters,
        or the ones above, and run `lectern run` again.

        ## The data

        ```load
        dataset: bbc_news
        test_size: 0.2
        ```

        ## Word pieces

        ```tokenize
        model: ${model}
        max_length: 256
        truncation: true
        ```

        ## Fine-tuning

        ```train
        num_train_epochs: ${epochs}
        per_device_train_batch_size: 8
        learning_rate: 5e-5
        eval_strategy: epoch
        metrics: [accuracy, f1]
        average: macro
        ```

        ## How well it does

        ```evaluate
        metrics: [accuracy, precision, recall, f1]
        average: macro
        ```

        ## On a new text

        ```predict
        text: The striker scored twice in the second half to win the cup final.
        ```

        """
}
