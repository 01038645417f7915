import Foundation

/// What changes when an editor saves a file: its modification time and size (a save within the same second
/// still changes one of them). `lectern watch` and `lectern preview` compare these to run again.
public enum SaveSignature {
    public static func of(_ paths: [String]) -> [String] {
        paths.map { path in
            let attributes = try? FileManager.default.attributesOfItem(atPath: path)
            let date = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            return "\(date) \((attributes?[.size] as? NSNumber)?.intValue ?? -1)"
        }
    }
}
