import Foundation

/// A folder of lessons as one course: its title and its notebooks in order.
///
/// `course.yaml` in the folder, when there is one, gives both:
///
/// ```yaml
/// title: Text classification with BERT
/// lessons:
///   - loading-data.md
///   - fine-tuning-bert.md
/// ```
///
/// Without it, every `.md` file of the folder is a lesson, by name, and the folder's name is the title.
public struct Course: Sendable {
    public var title: String
    public var folder: String
    /// The lessons' paths, in order.
    public var lessons: [String]

    public static let fileName = "course.yaml"

    public static func load(folder: String) throws(Diagnostics) -> Course {
        let path = (folder as NSString).appendingPathComponent(fileName)
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".md") && !$0.hasPrefix(".") }.sorted()
            guard !names.isEmpty else {
                throw Diagnostics([Diagnostic("This folder has no notebooks (.md files) and no \(fileName).", at: SourceLocation(file: folder, line: 1, column: 1))])
            }
            let title = (URL(fileURLWithPath: folder).standardizedFileURL.lastPathComponent as NSString).replacingOccurrences(of: "-", with: " ")
            return Course(title: title.prefix(1).uppercased() + title.dropFirst(), folder: folder,
                          lessons: names.map { (folder as NSString).appendingPathComponent($0) })
        }
        let root: ParameterNode?
        do throws(Diagnostic) { root = try YAMLReader.parse(text, file: path, firstLine: 1, what: fileName) } catch { throw Diagnostics([error]) }
        let start = SourceLocation(file: path, line: 1, column: 1)
        guard let root, case let .mapping(entries) = root.value else {
            throw Diagnostics([Diagnostic("\(fileName) must hold `title:` and a list under `lessons:`.", at: start)])
        }
        var title: String?
        var lessons: [String] = []
        var problems: [Diagnostic] = []
        for entry in entries {
            switch entry.key {
            case "title":
                title = entry.value.scalarText
            case "lessons":
                guard case let .sequence(items) = entry.value.value else {
                    problems.append(Diagnostic("`lessons` must be a list of notebook files.", at: entry.keyLocation))
                    continue
                }
                for item in items {
                    guard let name = item.scalarText else {
                        problems.append(Diagnostic("A lesson must be a notebook's file name.", at: item.location))
                        continue
                    }
                    let lesson = (folder as NSString).appendingPathComponent(name)
                    if !FileManager.default.fileExists(atPath: lesson) {
                        problems.append(Diagnostic("There is no notebook `\(name)` in this folder.", at: item.location))
                    } else if lessons.contains(lesson) {
                        problems.append(Diagnostic("`\(name)` is listed twice.", at: item.location))
                    } else {
                        lessons.append(lesson)
                    }
                }
            default:
                problems.append(Diagnostic("\(fileName) has no setting `\(entry.key)`.", at: entry.keyLocation, hint: "It takes `title` and `lessons`."))
            }
        }
        if lessons.isEmpty && problems.isEmpty { problems.append(Diagnostic("\(fileName) lists no lessons.", at: start)) }
        guard problems.isEmpty else { throw Diagnostics(problems) }
        return Course(title: title ?? URL(fileURLWithPath: folder).standardizedFileURL.lastPathComponent, folder: folder, lessons: lessons)
    }
}
