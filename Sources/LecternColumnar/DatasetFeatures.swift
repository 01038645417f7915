import Foundation

/// The features `datasets` records with a table (Parquet and Arrow schema metadata under `huggingface`,
/// and `dataset_info.json`): what Lectern needs of them is the class names of `ClassLabel` columns,
/// alone or inside a list (`Sequence`, `List`), so labels read as names rather than bare ids.
public struct DatasetFeatures: Sendable, Equatable {
    /// Column → class names in id order.
    public var classNames: [String: [String]]

    public init(classNames: [String: [String]] = [:]) { self.classNames = classNames }

    /// From a table's key-value metadata (`{"info": {"features": {...}}}` under `huggingface`).
    public init(metadata: [String: String]) {
        guard let text = metadata["huggingface"],
              let json = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
              let features = (json["info"] as? [String: Any])?["features"] as? [String: Any] else {
            self.init()
            return
        }
        self.init(features: features)
    }

    /// From a `features` object as `datasets` serialises it.
    public init(features: [String: Any]) {
        var names: [String: [String]] = [:]
        for (column, feature) in features {
            if let found = Self.classNames(in: feature) { names[column] = found }
        }
        self.init(classNames: names)
    }

    /// A ClassLabel's names, or those of a ClassLabel inside a list (`Sequence`, `List`, or the older `[feature]`).
    private static func classNames(in feature: Any) -> [String]? {
        if let list = feature as? [Any], list.count == 1 { return classNames(in: list[0]) }
        guard let object = feature as? [String: Any] else { return nil }
        switch object["_type"] as? String {
        case "ClassLabel": return object["names"] as? [String]
        case "Sequence", "List", "LargeList": return object["feature"].flatMap(classNames(in:))
        default: return nil
        }
    }
}
