import Foundation

/// A folder's data files grouped into splits by `datasets`' rules for a folder without a config
/// (`data_files.py`): a path component that is a split keyword, alone or between separators
/// (`-`, `.`, `_`, space, digits), names the split (`train-00000-of-00003.parquet`, `data/test.parquet`,
/// `default/validation/0000.parquet`); the keywords' synonyms (`dev`, `valid`, `eval`, ...) map to the
/// split's name. With no keyword anywhere, every file is `train`. Shards are read in sorted path order,
/// as `datasets` reads them.
enum DataFiles {
    /// Split name → the words that name it, in `datasets`' order.
    static let keywords: [(split: String, words: [String])] = [
        ("train", ["train", "training"]),
        ("validation", ["validation", "valid", "dev", "val"]),
        ("test", ["test", "testing", "eval", "evaluation"]),
    ]

    /// The files under `folder` (at any depth, hidden files and folders skipped) ending in one of `suffixes`,
    /// grouped by split.
    static func splits(in folder: String, suffixes: [String]) -> [(split: String, files: [String])] {
        let files = list(folder, suffixes: suffixes)
        var grouped: [String: [String]] = [:]
        for relative in files { grouped[split(of: relative), default: []].append(Files.join(folder, relative)) }
        if grouped.keys.allSatisfy({ $0.isEmpty }) { return files.isEmpty ? [] : [("train", files.map { Files.join(folder, $0) })] }
        grouped["" ] = nil
        return grouped.map { ($0.key, $0.value) }.sorted { DatasetLoader.splitOrder($0.split, $1.split) }
    }

    /// The split a file's relative path names ("" for none): the first split whose keyword is a word of a path component.
    static func split(of relative: String) -> String {
        let components = relative.split(separator: "/").enumerated().map { index, part in
            index == relative.split(separator: "/").count - 1 ? Files.stem(String(part)) : String(part)
        }
        for (split, words) in keywords {
            for component in components {
                let tokens = component.lowercased().split { "-._ ".contains($0) || $0.isNumber }
                if tokens.contains(where: { words.contains(String($0)) }) { return split }
            }
        }
        return ""
    }

    /// The data files under `folder`, as sorted relative paths.
    static func list(_ folder: String, suffixes: [String]) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: folder) else { return [] }
        var found: [String] = []
        while let relative = walker.nextObject() as? String {
            if relative.split(separator: "/").contains(where: { $0.hasPrefix(".") || $0.hasPrefix("__") }) { continue }
            if suffixes.contains(where: { relative.hasSuffix($0) }) { found.append(relative) }
        }
        return found.sorted()
    }
}
