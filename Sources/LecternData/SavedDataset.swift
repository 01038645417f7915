import Foundation
import LecternColumnar

/// A folder written by `Dataset.save_to_disk` or `DatasetDict.save_to_disk`: `dataset_dict.json` lists the
/// splits, each a folder whose `state.json` names its Arrow shards in order and whose `dataset_info.json`
/// holds the features; a single dataset's folder is the `train` split, as `load_from_disk` reads it.
struct SavedDataset {
    var splits: [(split: String, files: [String])]
    var features: DatasetFeatures

    /// Nil when the folder is not a `save_to_disk` folder.
    init?(folder: String) throws(DataError) {
        let dictionary = Files.join(folder, "dataset_dict.json")
        if FileManager.default.fileExists(atPath: dictionary) {
            guard let json = Self.object(at: dictionary), let names = json["splits"] as? [String], !names.isEmpty else {
                throw DataError("dataset_dict.json does not list the splits.", file: dictionary, hint: "`save_to_disk` writes {\"splits\": [...]}; save the dataset again.")
            }
            var splits: [(split: String, files: [String])] = []
            var features = DatasetFeatures()
            for name in names {
                guard !name.contains("/"), !name.hasPrefix(".") else { throw DataError("dataset_dict.json names a split `\(name)` that is not a folder name.", file: dictionary) }
                let (files, splitFeatures) = try Self.split(Files.join(folder, name))
                splits.append((name, files))
                if features.classNames.isEmpty { features = splitFeatures }
            }
            self.splits = splits
            self.features = features
        } else if FileManager.default.fileExists(atPath: Files.join(folder, "state.json")) {
            let (files, features) = try Self.split(folder)
            self.splits = [("train", files)]
            self.features = features
        } else {
            return nil
        }
    }

    /// A split folder's shards, in `state.json`'s order, and its features.
    private static func split(_ folder: String) throws(DataError) -> (files: [String], features: DatasetFeatures) {
        let state = Files.join(folder, "state.json")
        guard let json = object(at: state), let entries = json["_data_files"] as? [[String: Any]] else {
            throw DataError("This split has no state.json listing its Arrow files.", file: folder, hint: "Save the dataset again with `save_to_disk`.")
        }
        var files: [String] = []
        for entry in entries {
            guard let name = entry["filename"] as? String, !name.contains("/"), !name.hasPrefix(".") else {
                throw DataError("state.json names a data file that is not a plain file name.", file: state)
            }
            let path = Files.join(folder, name)
            guard FileManager.default.fileExists(atPath: path) else { throw DataError("state.json names \(name), which is missing.", file: state) }
            files.append(path)
        }
        let info = object(at: Files.join(folder, "dataset_info.json"))
        return (files, DatasetFeatures(features: info?["features"] as? [String: Any] ?? [:]))
    }

    private static func object(at path: String) -> [String: Any]? {
        guard let data = FileManager.default.contents(atPath: path), data.count < 16 << 20 else { return nil }
        return try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    }
}
