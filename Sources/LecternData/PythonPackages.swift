import Foundation

/// Finds files that PyPI packages ship (corpora, models) without running Python:
/// the folders pip installs into, searched in a documented order.
public enum PythonPackages {
    /// Where Lectern's set-up (`make setup`) installs the data and model packages it uses.
    public static var lecternFolder: String {
        if let custom = ProcessInfo.processInfo.environment["LECTERN_PACKAGES"], !custom.isEmpty { return custom }
        return Files.join(home, ".local/share/lectern/packages")
    }

    /// Candidate site-packages folders, in search order: `$LECTERN_PACKAGES` (or Lectern's own folder),
    /// the active virtual environment, the user's site-packages, pyenv versions, then the system's.
    public static var searchFolders: [String] {
        var folders = [lecternFolder]
        let environment = ProcessInfo.processInfo.environment
        if let venv = environment["VIRTUAL_ENV"], !venv.isEmpty {
            folders += sitePackages(under: Files.join(venv, "lib"))
        }
        folders += sitePackages(under: Files.join(home, ".local/lib"))
        for version in Files.list(Files.join(home, ".pyenv/versions")) {
            folders += sitePackages(under: Files.join(home, ".pyenv/versions/\(version)/lib"))
        }
        folders += sitePackages(under: "/usr/local/lib") + sitePackages(under: "/usr/lib") + ["/usr/lib/python3/dist-packages"]
        var seen = Set<String>()
        return folders.filter { seen.insert($0).inserted }
    }

    /// The first existing `relativePath` inside a package folder, with the folders searched.
    public static func locate(_ relativePath: String) -> (path: String?, searched: [String]) {
        var searched: [String] = []
        for folder in searchFolders {
            let candidate = Files.join(folder, relativePath)
            searched.append(candidate)
            if FileManager.default.fileExists(atPath: candidate) { return (candidate, searched) }
        }
        return (nil, searched)
    }

    private static var home: String { NSHomeDirectory() }

    private static func sitePackages(under lib: String) -> [String] {
        Files.list(lib).filter { $0.hasPrefix("python3") }.flatMap { version in
            ["site-packages", "dist-packages"].map { Files.join(Files.join(lib, version), $0) }
        }.filter(Files.isFolder)
    }
}
