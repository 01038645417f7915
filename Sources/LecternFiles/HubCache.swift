import Foundation

/// The Hugging Face hub cache, where `from_pretrained` and `load_dataset` leave what they download:
/// `REPO_TYPE--ORG--NAME/snapshots/COMMIT/...`, with `refs/BRANCH` naming the commit.
public enum HubCache {
    /// `$HF_HUB_CACHE`, else `$HF_HOME/hub`, else `~/.cache/huggingface/hub` (huggingface_hub's order).
    public static var folder: String {
        let environment = ProcessInfo.processInfo.environment
        if let cache = environment["HF_HUB_CACHE"], !cache.isEmpty { return cache }
        if let home = environment["HF_HOME"], !home.isEmpty { return (home as NSString).appendingPathComponent("hub") }
        return (NSHomeDirectory() as NSString).appendingPathComponent(".cache/huggingface/hub")
    }

    /// The repository folder of `name` (`org/name` or `name`) of a kind (`models`, `datasets`).
    public static func repository(_ name: String, kind: String, in cache: String = folder) -> String {
        (cache as NSString).appendingPathComponent(kind + "--" + name.replacingOccurrences(of: "/", with: "--"))
    }

    /// The snapshot a branch (`main`, `convert/parquet`) points at, when `accept` takes it; for `main`, else
    /// the only snapshot there is.
    public static func snapshot(_ repository: String, branch: String = "main", accept: (String) -> Bool) -> String? {
        let snapshots = (repository as NSString).appendingPathComponent("snapshots")
        if let reference = try? String(contentsOfFile: (repository as NSString).appendingPathComponent("refs/" + branch), encoding: .utf8) {
            let commit = reference.trimmingCharacters(in: .whitespacesAndNewlines)
            let path = (snapshots as NSString).appendingPathComponent(commit)
            if !commit.isEmpty, !commit.contains("/"), accept(path) { return path }
        }
        guard branch == "main" else { return nil }
        let all = ((try? FileManager.default.contentsOfDirectory(atPath: snapshots)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        if all.count == 1 {
            let path = (snapshots as NSString).appendingPathComponent(all[0])
            if accept(path) { return path }
        }
        return nil
    }
}
