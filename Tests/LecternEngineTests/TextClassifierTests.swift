import Foundation
import LecternTestSupport
import Testing
@testable import LecternEngine

/// Predictions of a checkpoint saved by transformers (`save_pretrained`), against transformers'
/// own predictions (`Tests/reference/make_checkpoint_fixtures.py`).
struct TextClassifierTests {
    struct Expected: Decodable {
        let texts: [String]
        let labels: [String]
        let probabilities: [[Float]]
    }

    static let folder = Bundle.module.url(forResource: "Fixtures/tiny-bert-classifier", withExtension: nil)!.path
    static let expected: Expected = {
        let url = Bundle.module.url(forResource: "Fixtures/tiny-bert-predictions", withExtension: "json")!
        return try! JSONDecoder().decode(Expected.self, from: Data(contentsOf: url))
    }()

    @Test func aTransformersCheckpointPredictsWhatTransformersPredicts() throws {
        let classifier = try TextClassifier(folder: Self.folder)
        #expect(classifier.labels == ["World", "Sports", "Business", "Sci/Tech"])
        #expect(classifier.maxLength == 128)
        let predictions = try classifier.classify(Self.expected.texts, batchSize: 4)
        for (index, prediction) in predictions.enumerated() {
            #expect(classifier.labels[prediction.label] == Self.expected.labels[index])
            let difference = zip(prediction.probabilities, Self.expected.probabilities[index]).map { abs($0 - $1) }.max()!
            #expect(difference < 1e-5, "text \(index): \(prediction.probabilities) vs \(Self.expected.probabilities[index])")
        }
        // The last text is longer than 128 tokens and is truncated, as the reference did.
        #expect(predictions.last!.truncatedTokens > 0)
    }

    /// As `tokenizer(texts, truncation=True)`: texts are cut at tokenizer_config.json's
    /// model_max_length, within the model's positions; transformers' "unset" sentinel means the model's.
    @Test(arguments: [("16", 16), ("1000000000000000019884624838656", 128), ("4096", 128)])
    func textsAreCutWhereTheTokenizerCutsThem(modelMaxLength: String, expected: Int) throws {
        let scratch = ScratchFolder()
        for file in ["model.safetensors", "tokenizer.json", "config.json"] {
            try FileManager.default.copyItem(atPath: Self.folder + "/" + file, toPath: scratch.path + "/" + file)
        }
        scratch.write("tokenizer_config.json", #"{"do_lower_case": true, "model_max_length": \#(modelMaxLength)}"#)
        let classifier = try TextClassifier(folder: scratch.path)
        #expect(classifier.maxLength == expected)
        let long = try classifier.classify([Self.expected.texts.last!])[0]
        #expect(long.truncatedTokens > 0)
    }

    @Test func aHeadForADifferentNumberOfLabelsIsAnError() {
        do {
            _ = try ModelCheckpoint(folder: Self.folder, labels: ["a", "b"])
            Issue.record("expected an error")
        } catch {
            #expect(error.message == "The checkpoint's classification head has 4 labels, but the data has 2.")
        }
    }

    @Test func aShapeThatDisagreesWithTheConfigNamesTheTensor() throws {
        let scratch = ScratchFolder()
        for file in ["model.safetensors", "tokenizer.json", "tokenizer_config.json"] {
            try FileManager.default.copyItem(atPath: Self.folder + "/" + file, toPath: scratch.path + "/" + file)
        }
        var config = try String(contentsOfFile: Self.folder + "/config.json", encoding: .utf8)
        config = config.replacingOccurrences(of: "\"intermediate_size\": 64", with: "\"intermediate_size\": 96")
        scratch.write("config.json", config)
        do {
            _ = try ModelCheckpoint(folder: scratch.path)
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("encoder.layer.0.intermediate.dense.weight` has shape [64, 32], but config.json implies [96, 32]"))
        }
    }
}
