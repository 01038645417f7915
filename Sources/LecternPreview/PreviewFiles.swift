import Foundation

/// The files the preview may serve: only those under its folders, after `..` and symbolic links are
/// resolved, so a request cannot reach anything else on the machine.
struct PreviewFiles: Sendable {
    let folders: [String]

    init(folders: [String]) {
        self.folders = folders.map { URL(fileURLWithPath: $0).resolvingSymlinksInPath().standardizedFileURL.path }
    }

    /// The file a request path names, or nil when it names none inside the folders.
    func file(for requestPath: String) -> String? {
        let relative = (requestPath.removingPercentEncoding ?? requestPath).split(separator: "/").map(String.init)
        guard !relative.isEmpty, !relative.contains(".."), !relative.contains(where: { $0.hasPrefix(".") }) else { return nil }
        for folder in folders {
            let candidate = URL(fileURLWithPath: folder).appendingPathComponent(relative.joined(separator: "/"))
            let resolved = candidate.resolvingSymlinksInPath().standardizedFileURL.path
            var isFolder: ObjCBool = false
            guard resolved.hasPrefix(folder + "/"), FileManager.default.fileExists(atPath: resolved, isDirectory: &isFolder), !isFolder.boolValue else { continue }
            return resolved
        }
        return nil
    }

    static func contentType(_ path: String) -> String {
        switch (path as NSString).pathExtension.lowercased() {
        case "html": "text/html; charset=utf-8"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        case "jpg", "jpeg": "image/jpeg"
        case "gif": "image/gif"
        case "css": "text/css; charset=utf-8"
        case "json": "application/json"
        case "md", "txt", "csv": "text/plain; charset=utf-8"
        default: "application/octet-stream"
        }
    }
}
