import Foundation
import Yams

/// The data files of a dataset folder grouped into splits, as `load_dataset(folder, config)` picks them:
/// the `configs` of README.md's YAML header when it declares them (each config's `data_files`, by split,
/// as paths with `*` and `**`); else per-config folders, as the Hub's Parquet export lays them out
/// (`CONFIG/SPLIT/0000.parquet`); else the file-name rules of `DataFiles`.
enum DatasetLayout {
    static func splits(in folder: String, config: String?, suffixes: [String]) throws(DataError) -> [(split: String, files: [String])] {
        if let configs = try declaredConfigs(in: folder) {
            let chosen = try choose(config, among: configs.map(\.name), default: configs.first { $0.isDefault }?.name, folder: folder)
            let declared = configs.first { $0.name == chosen }!
            let all = DataFiles.list(folder, suffixes: suffixes)
            var splits: [(split: String, files: [String])] = []
            for (split, patterns) in declared.dataFiles {
                let matchers = patterns.map(Glob.init)
                let files = all.filter { path in matchers.contains { $0.matches(path) } }
                if !files.isEmpty { splits.append((split, files.map { Files.join(folder, $0) })) }
            }
            guard !splits.isEmpty else {
                throw DataError("README.md's config `\(chosen)` names data files that are not here.", file: Files.join(folder, "README.md"),
                                hint: "Its patterns are " + declared.dataFiles.flatMap(\.patterns).map { "`\($0)`" }.joined(separator: ", ") + ".")
            }
            return splits.sorted { DatasetLoader.splitOrder($0.split, $1.split) }
        }
        let configFolders = Files.list(folder).filter { name in
            Files.isFolder(Files.join(folder, name)) && name != "data" && DataFiles.split(of: name).isEmpty
                && !DataFiles.splits(in: Files.join(folder, name), suffixes: suffixes).isEmpty
        }
        let topLevel = DataFiles.list(folder, suffixes: suffixes).filter { !configFolders.contains(String($0.split(separator: "/")[0])) }
        if !configFolders.isEmpty, topLevel.isEmpty || config != nil {
            let chosen = try choose(config, among: configFolders, default: configFolders.contains("default") ? "default" : nil, folder: folder)
            return DataFiles.splits(in: Files.join(folder, chosen), suffixes: suffixes)
        }
        if let config {
            throw DataError("This dataset has no config `\(config)`: it is one set of files.", file: folder, hint: "Remove `config`.")
        }
        return DataFiles.splits(in: folder, suffixes: suffixes)
    }

    /// The config asked for, the default, or the only one; an error listing the configs otherwise.
    private static func choose(_ config: String?, among names: [String], default fallback: String?, folder: String) throws(DataError) -> String {
        let listed = names.map { "`\($0)`" }.joined(separator: ", ")
        if let config {
            guard names.contains(config) else { throw DataError("This dataset has no config `\(config)`.", file: folder, hint: "Its configs are \(listed).") }
            return config
        }
        if let only = names.count == 1 ? names[0] : fallback { return only }
        throw DataError("This dataset has several configs, and `load` names none.", file: folder, hint: "Set `config` to one of \(listed).")
    }

    struct Config {
        var name: String
        var isDefault: Bool
        var dataFiles: [(split: String, patterns: [String])]
    }

    /// README.md's `configs`, when its YAML header declares them (nil otherwise). A README is downloaded,
    /// untrusted text: its YAML is composed, not converted, and only `configs` is walked, within a budget of
    /// nodes, so aliases cannot multiply it.
    static func declaredConfigs(in folder: String) throws(DataError) -> [Config]? {
        let path = Files.join(folder, "README.md")
        guard let data = FileManager.default.contents(atPath: path), data.count < 1 << 20 else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        guard text.hasPrefix("---\n") || text.hasPrefix("---\r\n"),
              let end = text.range(of: "\n---", range: text.index(text.startIndex, offsetBy: 3)..<text.endIndex) else { return nil }
        let header = String(text[text.index(text.startIndex, offsetBy: 4)..<end.lowerBound])
        guard header.contains("configs") else { return nil }
        guard let root = try? Yams.compose(yaml: header) else {
            throw DataError("README.md's YAML header is not valid YAML.", file: path, hint: "Its `configs` say which files hold which split.")
        }
        guard let configs = root.mapping?["configs"]?.sequence else { return nil }
        var budget = 10_000
        func strings(_ node: Node?) -> [String] {
            guard let node, budget > 0 else { return [] }
            budget -= 1
            if let scalar = node.string { return [scalar] }
            return (node.sequence ?? []).prefix(budget).compactMap { budget -= 1; return $0.string }
        }
        return configs.prefix(1000).compactMap { entry in
            guard let mapping = entry.mapping, let name = mapping["config_name"]?.string else { return nil }
            var files: [(split: String, patterns: [String])] = []
            let dataFiles = mapping["data_files"]
            if let list = dataFiles?.sequence, list.contains(where: { $0.mapping != nil }) {
                files = list.prefix(1000).compactMap { item in
                    guard let split = item.mapping?["split"]?.string else { return nil }
                    return (split, strings(item.mapping?["path"]))
                }
            } else if let bySplit = dataFiles?.mapping {
                files = bySplit.prefix(1000).compactMap { key, value in key.string.map { ($0, strings(value)) } }
            } else if dataFiles != nil {
                files = [("train", strings(dataFiles))]
            }
            return Config(name: name, isDefault: mapping["default"]?.bool ?? false, dataFiles: files)
        }
    }
}

/// A data-files pattern as `datasets` writes them: `*` within a path component, `**` across components.
struct Glob {
    let pattern: [Substring]

    init(_ text: String) { pattern = text.split(separator: "/", omittingEmptySubsequences: true) }

    func matches(_ path: String) -> Bool { Self.match(pattern[...], path.split(separator: "/")[...]) }

    private static func match(_ pattern: ArraySlice<Substring>, _ path: ArraySlice<Substring>) -> Bool {
        guard let first = pattern.first else { return path.isEmpty }
        if first == "**" {
            return (path.startIndex...path.endIndex).contains { match(pattern.dropFirst(), path[$0...]) }
        }
        guard let component = path.first, matchComponent(Array(first), Array(component)) else { return false }
        return match(pattern.dropFirst(), path.dropFirst())
    }

    /// `*` any run of characters, `?` one character, anything else itself.
    private static func matchComponent(_ pattern: [Character], _ text: [Character]) -> Bool {
        var p = 0, t = 0, star = -1, mark = 0
        while t < text.count {
            if p < pattern.count, pattern[p] == "?" || pattern[p] == text[t] {
                p += 1; t += 1
            } else if p < pattern.count, pattern[p] == "*" {
                star = p; mark = t; p += 1
            } else if star >= 0 {
                p = star + 1; mark += 1; t = mark
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }
}
