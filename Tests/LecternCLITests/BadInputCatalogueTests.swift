import Foundation
import LecternTestSupport
import Testing

/// The catalogue of bad input (docs/reliability.md): each case runs the real `lectern run` on a
/// real broken file and checks the student-facing message, the exit status, that the process was
/// not killed by a trap, and that the transcript was still written with the error in it.
struct BadInputCatalogueTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var notebook: String
        /// Writes the broken data or model files into the scratch folder.
        var prepare: @Sendable (ScratchFolder) throws -> Void = { _ in }
        var status: Int32 = 1
        /// Pieces of the message that must appear on standard error (and in the transcript).
        var message: [String]
        var testDescription: String { name }
    }

    static let tinyModel = repositoryRoot.appendingPathComponent("Tests/LecternEngineTests/Fixtures/tiny-bert-classifier").path
    static let parquetShard = repositoryRoot.appendingPathComponent("Tests/LecternDataTests/Fixtures/parquet-folder/data/test-00000-of-00001.parquet").path
    static let savedDataset = repositoryRoot.appendingPathComponent("Tests/LecternDataTests/Fixtures/saved").path

    /// A notebook that predicts one text with the model at `path`.
    static func predicting(with path: String) -> String { "```predict\nmodel: \(path)\ntext: Stocks rose.\n```\n" }

    /// A notebook that fine-tunes the tiny model on `dataset` for a few steps.
    static func training(_ dataset: String = "tiny_news", model: String = tinyModel, extra: String = "") -> String {
        "```load\ndataset: \(dataset)\n```\n\n```tokenize\nmodel: \(model)\n```\n\n```train\nmax_steps: 4\nper_device_train_batch_size: 4\neval_strategy: no\n\(extra)```\n"
    }

    static let notebookCases: [Case] = [
        Case(name: "unknown directive", notebook: "Text.\n\n```trian\nnum_train_epochs: 1\n```\n",
             message: ["lesson.md:3:4: error: Unknown directive `trian`. Did you mean `train`?"]),
        Case(name: "malformed YAML", notebook: "```load\ndataset: [tiny_news\n```\n",
             message: ["lesson.md:3:1: error: The `load` block on line 1 is not valid YAML", "one per line as `name: value`"]),
        Case(name: "misspelt key", notebook: "```load\ndataset: tiny_news\nshufle: false\n```\n",
             message: ["lesson.md:3:1: error: `load` has no parameter `shufle`. Did you mean `shuffle`?"]),
        Case(name: "unknown key", notebook: "```load\ndataset: tiny_news\ncolour: blue\n```\n",
             message: ["lesson.md:3:1: error: `load` has no parameter `colour`."]),
        Case(name: "wrong type", notebook: "```load\ndataset: tiny_news\nshuffle: maybe\n```\n",
             message: ["lesson.md:3:10: error: `shuffle` must be `true` or `false`, but it is `maybe`."]),
        Case(name: "negative learning rate", notebook: training(extra: "learning_rate: -1e-5\n"),
             message: ["lesson.md:13:16: error: `learning_rate` must be a number greater than 0.0", "but it is `-1e-5`."]),
        Case(name: "batch size 0", notebook: "```load\ndataset: tiny_news\n```\n\n```tokenize\nmodel: \(tinyModel)\n```\n\n```train\nper_device_train_batch_size: 0\n```\n",
             message: ["lesson.md:10:30: error: `per_device_train_batch_size` must be a whole number from 1 to 4096, but it is `0`."]),
        Case(name: "test_size 1.5", notebook: "```load\ndataset: tiny_news\nsplit: train\ntest_size: 1.5\n```\n",
             message: ["lesson.md:4:12: error: `test_size` must be a fraction between 0 and 1 (such as 0.2) or a whole count (such as 200), but it is `1.5`."]),
        Case(name: "test_size 0", notebook: "```load\ndataset: tiny_news\nsplit: train\ntest_size: 0\n```\n",
             message: ["lesson.md:4:12: error: `test_size` must be a fraction between 0 and 1", "but it is `0`."]),
        Case(name: "undefined parameter", notebook: "```load\ndataset: ${corpus}\n```\n",
             message: ["lesson.md:2:10: error: `${corpus}` names no parameter of this notebook.", "--set corpus=VALUE"]),
        Case(name: "train before load", notebook: "```train\nnum_train_epochs: 1\n```\n\n```load\ndataset: tiny_news\n```\n",
             message: ["lesson.md:1:4: error: `train` needs a dataset, but no earlier cell provides one. Add a `load` cell above it."]),
        Case(name: "duplicate front matter key", notebook: "---\ntitle: One\nseed: 1\ntitle: Two\n---\n\n```load\ndataset: tiny_news\n```\n",
             message: ["lesson.md:4:1: error: The front matter gives `title` more than once."]),
        Case(name: "notebook not UTF-8", notebook: "",
             prepare: { $0.write("lesson.md", Array("# Caf".utf8) + [0xE9] + Array("\n\n```load\ndataset: tiny_news\n```\n".utf8)) },
             message: ["lesson.md:1:6: error: The notebook is not UTF-8 text", "Save the file as UTF-8"]),
        Case(name: "empty notebook", notebook: "\n\n", message: ["lesson.md:1:1: error: The notebook is empty."]),
    ]

    static let dataCases: [Case] = [
        Case(name: "missing dataset name", notebook: "```load\ndataset: bbc_newz\n```\n",
             message: ["lesson.md:2:10: error: bbc_newz: No dataset named `bbc_newz`.", "data/bbc_newz", "Put the dataset in ./data/bbc_newz"]),
        Case(name: "missing data file", notebook: "```load\ndataset: data/reviews.csv\n```\n",
             message: ["lesson.md:2:10: error: ", "data/reviews.csv: No dataset at this path."]),
        Case(name: "unbalanced quotes", notebook: "```load\ndataset: data/quotes.csv\n```\n",
             prepare: { $0.write("data/quotes.csv", "text,label\n\"Stocks rose,1\nRain,2\n") },
             message: ["data/quotes.csv:2: A quoted field that starts on this line never ends"]),
        Case(name: "wrong column count", notebook: "```load\ndataset: data/columns.csv\n```\n",
             prepare: { $0.write("data/columns.csv", "text,label\nStocks rose,1\nRain, again,2\n") },
             message: ["data/columns.csv:3: This row has 3 fields but the header names 2."]),
        Case(name: "label outside the class list", notebook: "```load\ndataset: data/labels\n```\n",
             prepare: { folder in
                 folder.write("data/labels/classes.txt", "World\nSports\n")
                 folder.write("data/labels/train.csv", "\"1\",\"a\",\"b\"\n\"7\",\"c\",\"d\"\n")
                 folder.write("data/labels/test.csv", "\"2\",\"a\",\"b\"\n")
             },
             message: ["data/labels/train.csv:2: The class `7` is not one of 1 to 2 (classes.txt lists 2 classes)."]),
        Case(name: "header without the text column", notebook: "```load\ndataset: data/header.csv\n```\n",
             prepare: { $0.write("data/header.csv", "title,label\nStocks rose,1\n") },
             message: ["data/header.csv:1: The header has no column `text`. Its columns are `title`, `label`; set `text_column` to choose one."]),
        Case(name: "invalid UTF-8 with invalid_utf8 error", notebook: "```load\ndataset: data/latin1.csv\ninvalid_utf8: error\n```\n",
             prepare: { $0.write("data/latin1.csv", Array("text,label\nPrice ".utf8) + [0xA3] + Array("5,1\nRain,2\n".utf8)) },
             message: ["data/latin1.csv:2: This row is not valid UTF-8 text. Set `invalid_utf8: windows-1252` or `replace` to read it anyway."]),
        Case(name: "empty split after slicing", notebook: "```load\ndataset: tiny_news\nsplit: train[5:5]\n```\n",
             message: ["lesson.md:3:8: error: The split `train` has no rows after slicing.", "train: 20 rows"]),
        Case(name: "slice beyond the data", notebook: "```load\ndataset: tiny_news\nsplit: train[100:200]\n```\n",
             message: ["lesson.md:3:8: error: The split `train` has no rows after slicing.", "train: 20 rows"]),
        Case(name: "truncated Parquet file", notebook: "```load\ndataset: data/news.parquet\n```\n",
             prepare: { folder in
                 let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: parquetShard)))
                 folder.write("data/news.parquet", Array(bytes.prefix(bytes.count / 2)))
             },
             message: ["data/news.parquet: The file does not begin and end with PAR1, so it is not a Parquet file (or it is truncated)."]),
        Case(name: "Parquet file without the text column", notebook: "```load\ndataset: data/news.parquet\ntext_column: body\n```\n",
             prepare: { folder in try FileManager.default.copyItem(atPath: parquetShard, toPath: folder.path + "/data/news.parquet") },
             message: ["data/news.parquet: The file has no column `body`. Its columns are `text`, `label`; set `text_column` to choose one."]),
        Case(name: "Hub dataset not in the cache", notebook: "```load\ndataset: someone/missing_news\n```\n",
             message: ["someone/missing_news: No dataset at this path or in the Hugging Face cache.", "datasets--someone--missing_news/snapshots",
                       "`hf download someone/missing_news --repo-type dataset`"]),
        Case(name: "save_to_disk folder missing a shard", notebook: "```load\ndataset: data/saved\n```\n",
             prepare: { folder in
                 try FileManager.default.createDirectory(atPath: folder.path + "/data", withIntermediateDirectories: true)
                 try FileManager.default.copyItem(atPath: savedDataset, toPath: folder.path + "/data/saved")
                 try FileManager.default.removeItem(atPath: folder.path + "/data/saved/train/data-00001-of-00002.arrow")
             },
             message: ["data/saved/train/state.json: state.json names data-00001-of-00002.arrow, which is missing."]),
        Case(name: "folder without class folders", notebook: "```load\ndataset: data/loose\n```\n",
             prepare: { $0.write("data/loose/article.txt", "Just one file.\n") },
             message: ["data/loose: This folder holds no dataset Lectern can read."]),
    ]

    static let modelCases: [Case] = [
        Case(name: "missing model", notebook: predicting(with: "bert-tiny-classifier"),
             message: ["lesson.md:2:8: error: bert-tiny-classifier: No model named `bert-tiny-classifier`. Searched:", "models/bert-tiny-classifier",
                       "models--bert-tiny-classifier/snapshots", "`hf download bert-tiny-classifier`", "set $LECTERN_MODELS"]),
        Case(name: "config.json missing", notebook: predicting(with: "./broken"),
             prepare: { try copyModel(into: $0) { folder in try FileManager.default.removeItem(atPath: folder + "/config.json") } },
             message: ["broken: This folder has no config.json, so it is not a complete Hugging Face model folder."]),
        Case(name: "tokenizer_config.json cut off", notebook: predicting(with: "./broken"),
             prepare: { try copyModel(into: $0) { folder in try Data("{\"model_max_length\": 10".utf8).write(to: URL(fileURLWithPath: folder + "/tokenizer_config.json")) } },
             message: ["broken/tokenizer_config.json: tokenizer_config.json is not valid JSON", "transformers stops here too"]),
        Case(name: "config.json malformed", notebook: predicting(with: "./broken"),
             prepare: { try copyModel(into: $0) { folder in try Data("{\"hidden_size\": 32,".utf8).write(to: URL(fileURLWithPath: folder + "/config.json")) } },
             message: ["broken/config.json: config.json is not valid JSON", "download it again"]),
        Case(name: "safetensors truncated", notebook: predicting(with: "./broken"),
             prepare: { try copyModel(into: $0) { folder in try editSafetensors(in: folder) { _, data in data.removeLast(100) } } },
             message: ["broken/model.safetensors: Tensor `classifier.weight`", "run past the end of the data", "The file is truncated: download it again."]),
        Case(name: "header length beyond the file", notebook: predicting(with: "./broken"),
             prepare: { try copyModel(into: $0) { folder in try editSafetensors(in: folder) { header, _ in header.length = 1_000_000_000 } } },
             message: ["broken/model.safetensors: The header says it is 1000000000 bytes long, but the file has only"]),
        Case(name: "overlapping tensors", notebook: predicting(with: "./broken"),
             prepare: { try copyModel(into: $0) { folder in try editSafetensors(in: folder) { header, _ in
                 let weightBytes = header.tensors["bert.embeddings.LayerNorm.weight"]?["data_offsets"]
                 header.tensors["bert.embeddings.LayerNorm.bias"]?["data_offsets"] = weightBytes
             } } },
             message: ["overlap. The file is corrupt: download it again."]),
        Case(name: "out-of-range tensor", notebook: predicting(with: "./broken"),
             prepare: { try copyModel(into: $0) { folder in try editSafetensors(in: folder) { header, _ in
                 header.tensors["bert.pooler.dense.bias"]?["data_offsets"] = [100_000_000, 100_000_128]
             } } },
             message: ["Tensor `bert.pooler.dense.bias`: its bytes 100000000..<100000128 run past the end of the data"]),
        Case(name: "shape mismatch with the config", notebook: predicting(with: "./broken"),
             prepare: { try copyModel(into: $0) { folder in try editConfig(in: folder) { $0["intermediate_size"] = 128 } } },
             message: ["Tensor `bert.encoder.layer.0.intermediate.dense.weight` has shape [64, 32], but config.json implies [128, 32].",
                       "config.json and model.safetensors do not belong together."]),
        Case(name: "unsupported dtype", notebook: predicting(with: "./broken"),
             prepare: { try copyModel(into: $0) { folder in try editSafetensors(in: folder) { header, _ in
                 header.tensors["bert.embeddings.LayerNorm.bias"]?["dtype"] = "I32"
             } } },
             message: ["Tensor `bert.embeddings.LayerNorm.bias` is I32; Lectern reads weights stored as F32, F16 or BF16."]),
        Case(name: "vocabulary without [UNK]", notebook: predicting(with: "./broken"),
             prepare: { try copyModel(into: $0) { folder in try editTokenizer(in: folder) { root in
                 var model = root["model"] as! [String: Any]
                 var vocabulary = model["vocab"] as! [String: Int]
                 vocabulary["[UNK]"] = nil
                 model["vocab"] = vocabulary
                 root["model"] = model
                 root["added_tokens"] = (root["added_tokens"] as! [[String: Any]]).filter { $0["content"] as? String != "[UNK]" }
             } } },
             message: ["broken/tokenizer.json: The vocabulary has no `[UNK]` token."]),
        Case(name: "head for a different number of labels", notebook: training("data/two_classes"),
             prepare: { folder in
                 folder.write("data/two_classes/classes.txt", "Positive\nNegative\n")
                 for split in ["train", "test"] { folder.write("data/two_classes/\(split).csv", "\"1\",\"Good\",\"fine\"\n\"2\",\"Bad\",\"poor\"\n") }
             },
             message: ["The checkpoint's classification head has 4 labels, but the data has 2."]),
    ]

    static let trainingCases: [Case] = [
        Case(name: "loss becomes NaN", notebook: training(model: "./broken"),
             prepare: { try copyModel(into: $0) { folder in try editSafetensors(in: folder) { header, data in
                 // An infinite weight in the head makes the first logits, and so the loss, non-finite.
                 let offset = header.dataStart + ((header.tensors["classifier.weight"]?["data_offsets"] as? [Int])?.first ?? 0)
                 withUnsafeBytes(of: Float.infinity.bitPattern.littleEndian) { data.replaceSubrange(offset..<(offset + 4), with: $0) }
             } } },
             message: ["lesson.md:9:4: error: Training stopped: The loss became NaN at step 1; no checkpoint was saved before it."]),
        Case(name: "output folder cannot be written", notebook: training(extra: "output_dir: taken/run\n"),
             prepare: { $0.write("taken", "a file where the folder should be\n") },
             message: ["lesson.md:13:13: error: Checkpoints cannot be written to ", "taken/run: cannot create the folder ", "taken (a file of that name is in the way)."]),
    ]

    static let catalogue = notebookCases + dataCases + modelCases + trainingCases

    @Test(arguments: catalogue)
    func badInputGetsAClearErrorAndATranscript(_ entry: Case) throws {
        let folder = ScratchFolder()
        folder.writeTinyNews()
        if !entry.notebook.isEmpty { folder.write("lesson.md", entry.notebook) }
        try entry.prepare(folder)
        let result = try LecternProcess.run(["run", "lesson.md", "--template", LecternProcess.template, "--quiet"], in: folder.path,
                                            environment: ["LECTERN_PACKAGES": folder.path + "/no-packages", "HF_HUB_CACHE": folder.path + "/hub"])
        #expect(result.exitedNormally, "lectern was killed by a signal: \(result.standardError)")
        #expect(result.status == entry.status, "\(result.standardError)")
        for piece in entry.message {
            #expect(result.standardError.contains(piece), "stderr: \(result.standardError)")
        }
        let markdown = try #require(folder.read("output/lesson.md"), "no transcript was written")
        let json = try #require(folder.read("output/lesson.json"))
        #expect(json.contains("\"status\": \"invalid\"") || json.contains("\"status\": \"error\""))
        let flattened = markdown.replacingOccurrences(of: "\n> ", with: "\n").replacingOccurrences(of: "\n>   ", with: "\n  ")
        #expect(flattened.contains(entry.message[0].replacingOccurrences(of: "\\|", with: "|")), "the transcript lacks the error")
    }

    @Test func invalidUTF8IsReadAsWindows1252ByDefaultAndReported() throws {
        let folder = ScratchFolder()
        folder.write("data/latin1.csv", Array("text,label\nPrice ".utf8) + [0xA3] + Array("5,1\nRain,2\n".utf8))
        folder.write("lesson.md", "```load\ndataset: data/latin1.csv\n```\n")
        let result = try LecternProcess.run(["run", "lesson.md", "--template", LecternProcess.template, "--quiet"], in: folder.path)
        #expect(result.status == 0, "\(result.standardError)")
        let markdown = try #require(folder.read("output/lesson.md"))
        #expect(markdown.contains("1 text was not valid UTF-8"), "\(markdown)")
        #expect(markdown.contains("data/latin1.csv:2: not valid UTF-8; decoded as Windows-1252"))
    }

    // MARK: Broken copies of the tiny model

    /// Copies the tiny transformers-saved classifier to `broken/` and lets `damage` break it.
    static func copyModel(into folder: ScratchFolder, damage: (String) throws -> Void) throws {
        let target = folder.path + "/broken"
        try FileManager.default.copyItem(atPath: tinyModel, toPath: target)
        try damage(target)
    }

    struct SafetensorsHeader {
        var length: UInt64
        var tensors: [String: [String: Any]]
        var dataStart: Int
    }

    /// Rewrites model.safetensors after `edit` changed its header (and possibly its bytes).
    static func editSafetensors(in folder: String, _ edit: (inout SafetensorsHeader, inout Data) -> Void) throws {
        let url = URL(fileURLWithPath: folder + "/model.safetensors")
        let file = try Data(contentsOf: url)
        let length = file.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        let json = try JSONSerialization.jsonObject(with: file.subdata(in: 8..<(8 + Int(length)))) as! [String: [String: Any]]
        var header = SafetensorsHeader(length: length, tensors: json, dataStart: 0)
        var data = file.subdata(in: (8 + Int(length))..<file.count)
        edit(&header, &data)
        var encoded = try JSONSerialization.data(withJSONObject: header.tensors, options: [.sortedKeys])
        while encoded.count % 8 != 0 { encoded.append(0x20) }
        let written = header.length == length ? UInt64(encoded.count) : header.length
        var out = Data(withUnsafeBytes(of: written.littleEndian) { Array($0) })
        out.append(encoded)
        out.append(data)
        try out.write(to: url)
    }

    static func editConfig(in folder: String, _ edit: (inout [String: Any]) -> Void) throws {
        try editJSON(folder + "/config.json", edit)
    }

    static func editTokenizer(in folder: String, _ edit: (inout [String: Any]) -> Void) throws {
        try editJSON(folder + "/tokenizer.json", edit)
    }

    static func editJSON(_ path: String, _ edit: (inout [String: Any]) -> Void) throws {
        let url = URL(fileURLWithPath: path)
        var object = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        edit(&object)
        try JSONSerialization.data(withJSONObject: object).write(to: url)
    }
}
