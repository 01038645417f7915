import Foundation

/// Finds files that PyPI packages ship (corpora, models) without running Python:
/// the folders pip installs into, searched in a documented order.
public enum PythonPackages {
    /// Where Lectern's set-up (`make setup`) installs the data and model packages it uses.
    public static var lecternFolder: String {
        if let custom = ProcessInfo.processInfo.environment["LECTERN_PACKAGES"], !custom.isEmpty { return custom }
        return join(home, ".local/share/lectern/packages")
    }

    /// Candidate site-packages folders, in search order: `$LECTERN_PACKAGES` (or Lectern's own folder),
    /// the active virtual environment, the user's site-packages, pyenv versions, then the system's.
    public static var searchFolders: [String] {
        var folders = [lecternFolder]
        let environment = ProcessInfo.processInfo.environment
        if let venv = environment["VIRTUAL_ENV"], !venv.isEmpty {
            folders += sitePackages(under: join(venv, "lib"))
        }
        folders += sitePackages(under: join(home, ".local/lib"))
        for version in list(join(home, ".pyenv/versions")) {
            folders += sitePackages(under: join(home, ".pyenv/versions/\(version)/lib"))
        }
        folders += sitePackages(under: "/usr/local/lib") + sitePackages(under: "/usr/lib") + ["/usr/lib/python3/dist-packages"]
        var seen = Set<String>()
        return folders.filter { seen.insert($0).inserted }
    }

    /// The first existing `relativePath` inside a package folder, with the folders searched.
    public static func locate(_ relativePath: String) -> (path: String?, searched: [String]) {
        var searched: [String] = []
        for folder in searchFolders {
            let candidate = join(folder, relativePath)
            searched.append(candidate)
            if FileManager.default.fileExists(atPath: candidate) { return (candidate, searched) }
        }
        return (nil, searched)
    }

    private static var home: String { NSHomeDirectory() }

    static func join(_ folder: String, _ name: String) -> String { (folder as NSString).appendingPathComponent(name) }

    static func list(_ folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    static func isFolder(_ path: String) -> Bool {
        var isFolder: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && isFolder.boolValue
    }

    private static func sitePackages(under lib: String) -> [String] {
        list(lib).filter { $0.hasPrefix("python3") }.flatMap { version in
            ["site-packages", "dist-packages"].map { join(join(lib, version), $0) }
        }.filter(isFolder)
    }
}
