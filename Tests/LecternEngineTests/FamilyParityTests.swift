import Foundation
import LecternTestSupport
import Testing
@testable import LecternEngine

/// DistilBERT and RoBERTa against transformers' `DistilBertForSequenceClassification` and
/// `RobertaForSequenceClassification` on tiny checkpoints it saved
/// (`Tests/reference/make_family_fixtures.py`): token ids, logits, three training steps, which
/// parameters escape weight decay, and the names and keys of a saved checkpoint.
struct FamilyParityTests {
    struct Fixture: Decodable {
        struct Predictions: Decodable {
            let texts: [String]
            let ids: [[Int32]]
            let labels: [String]
            let logits: [[Float]]
        }

        struct Step: Decodable {
            let ids: [[Int32]]
            let labels: [Int]
            let loss: Float
            let grad_norm: Float
            let learning_rate: Float
            let logits_after: [[Float]]
        }

        let predictions: Predictions
        let steps: [Step]
        let no_decay: [String]
        let saved_tensors: [String: [Int]]
        let config_keys: [String]
    }

    static let families = ["distilbert", "roberta"]

    static func folder(_ family: String) -> String {
        Bundle.module.url(forResource: "Fixtures/tiny-\(family)-classifier", withExtension: nil)!.path
    }

    static func fixture(_ family: String) throws -> Fixture {
        let url = Bundle.module.url(forResource: "Fixtures/\(family)-parity", withExtension: "json")!
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    static func largestDifference(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).map { abs($0 - $1) }.max()! }

    @Test func distilBertsConfigIsReadUnderItsOwnNames() throws {
        let config = try ModelConfig(contentsOf: Self.folder("distilbert") + "/config.json")
        #expect(config.family == .distilbert)
        let sizes: [Int] = [config.hiddenSize, config.numHiddenLayers, config.numAttentionHeads, config.intermediateSize]
        #expect(sizes == [32, 2, 4, 64])
        #expect(config.classifierDropout == 0.2 && config.hiddenDropoutProb == 0.1 && config.attentionProbsDropoutProb == 0.1)
        #expect(config.layerNormEps == 1e-12)
        #expect(config.id2label == ["World", "Sports", "Business", "Sci/Tech"])
        #expect(config.positionOffset == 0 && config.maxSequenceLength == 128)
    }

    @Test func robertasPositionsStartAfterThePaddingId() throws {
        let config = try ModelConfig(contentsOf: Self.folder("roberta") + "/config.json")
        #expect(config.family == .roberta)
        #expect(config.padTokenID == 1 && config.positionOffset == 2)
        #expect(config.maxPositionEmbeddings == 130 && config.maxSequenceLength == 128)
        #expect(config.layerNormEps == 1e-5 && config.typeVocabSize == 1)
        let classifier = try TextClassifier(folder: Self.folder("roberta"))
        #expect(classifier.maxLength == 128)
        #expect(throws: ModelError.self) { try classifier.model.forward(TokenBatch([[Int32](repeating: 5, count: 129)])) }
    }

    @Test(arguments: families)
    func tokenIdsLogitsAndLabelsAreTransformers(family: String) throws {
        let classifier = try TextClassifier(folder: Self.folder(family))
        let expected = try Self.fixture(family).predictions
        #expect(expected.texts.map { classifier.tokenizer.encode($0, maxLength: classifier.maxLength).ids } == expected.ids)
        let predictions = try classifier.classify(expected.texts, batchSize: 4)
        for (index, prediction) in predictions.enumerated() {
            #expect(classifier.labels[prediction.label] == expected.labels[index])
            let difference = Self.largestDifference(prediction.logits, expected.logits[index])
            #expect(difference < 1e-4, "\(family) text \(index): logits differ by \(difference)")
        }
    }

    @Test(arguments: families)
    func threeTrainingStepsFollowPyTorch(family: String) throws {
        let fixture = try Self.fixture(family)
        try withBLASThreadsHeld {
            let parameters = try ModelCheckpoint(folder: Self.folder(family)).parameters
            let model = TrainingModel(parameters: parameters, dropout: .off)
            let optimizer = AdamW(parameters: parameters, weightDecay: 0.01)
            let schedule = LearningRateSchedule(peak: 5e-5, warmupSteps: 0, totalSteps: 3)
            func relative(_ a: Float, _ b: Float) -> Float { abs(a - b) / abs(b) }
            let first = TokenBatch(fixture.steps[0].ids)
            for (index, step) in fixture.steps.enumerated() {
                model.zeroGradients()
                let loss = try model.forward(TokenBatch(step.ids), labels: step.labels).loss
                model.backward()
                let rate = schedule.rate(at: index)
                let norm = optimizer.apply(model, rate: rate, maxGradNorm: 1)
                #expect(relative(loss, step.loss) < 1e-5, "\(family) step \(index + 1) loss \(loss) vs \(step.loss)")
                #expect(relative(norm, step.grad_norm) < 1e-5, "\(family) step \(index + 1) grad norm \(norm) vs \(step.grad_norm)")
                #expect(relative(rate, step.learning_rate) < 1e-6)
                let logits = try SequenceClassifier(parameters: parameters).forward(first).logits
                let expected = step.logits_after.flatMap { $0 }
                // Relative to the largest logit: a logit near zero has no meaningful relative error.
                let worst = Self.largestDifference(logits, expected) / expected.map(abs).max()!
                #expect(worst < 1e-5, "\(family) logits after step \(index + 1) differ by \(worst) of the largest")
            }
        }
    }

    /// transformers' Trainer exempts biases and every LayerNorm (DistilBERT's `sa_layer_norm` and
    /// `output_layer_norm` too, whose names lack "LayerNorm") from weight decay.
    @Test(arguments: families)
    func weightDecaySparesTheTensorsTheTrainerSpares(family: String) throws {
        let parameters = try ModelCheckpoint(folder: Self.folder(family)).parameters
        let exempt = parameters.tensors.filter(\.isDecayExempt).map { parameters.config.family.savedName(for: $0.name) }
        #expect(exempt.sorted() == (try Self.fixture(family).no_decay))
    }

    @Test(arguments: families)
    func aSavedCheckpointHasTransformersNamesAndKeysAndReloads(family: String) throws {
        let fixture = try Self.fixture(family)
        let scratch = ScratchFolder()
        let parameters = try ModelCheckpoint(folder: Self.folder(family)).parameters
        try CheckpointWriter.save(parameters, to: scratch.path, tokenizerFrom: Self.folder(family))
        let saved = try SafetensorsFile(path: scratch.path + "/model.safetensors")
        #expect(saved.tensors.mapValues(\.shape) == fixture.saved_tensors)
        let config = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: scratch.path + "/config.json"))) as? [String: Any])
        #expect(config["model_type"] as? String == family)
        #expect(config["architectures"] as? [String] == [parameters.config.family.architecture])
        #expect(Set(fixture.config_keys).subtracting(["dtype", "transformers_version"]).isSubset(of: Set(config.keys)))
        // The weights come back bit for bit. (Logits are not compared bit for bit: tests running
        // attention at the same time change OpenBLAS's thread count, which moves their last bits.)
        let reread = try ModelCheckpoint(folder: scratch.path).parameters
        #expect(reread.tensors.map(\.name) == parameters.tensors.map(\.name))
        #expect(Array(reread.storage) == Array(parameters.storage))
        let reloaded = try ModelTokenizer.load(folder: scratch.path)
        #expect(fixture.predictions.texts.map { reloaded.encode($0, maxLength: 128).ids } == fixture.predictions.ids)
    }

    @Test(arguments: zip(families, [["pre_classifier", "classifier"], ["classifier.dense", "classifier.out_proj"]]))
    func aBaseModelGetsANewHeadNamedAsTransformersNamesIt(family: String, head: [String]) throws {
        let scratch = ScratchFolder()
        let parameters = try ModelCheckpoint(folder: Self.folder(family)).parameters
        let base = parameters.tensors.filter { !parameters.config.family.isHead($0.name) }
        try SafetensorsWriter.write(base.map { (family + "." + $0.name, $0.shape, UnsafeBufferPointer(parameters.values(of: $0))) },
                                    to: scratch.path + "/model.safetensors")
        try FileManager.default.copyItem(atPath: Self.folder(family) + "/config.json", toPath: scratch.path + "/config.json")
        let checkpoint = try ModelCheckpoint(folder: scratch.path)
        #expect(checkpoint.notices.count == 1)
        #expect(checkpoint.notices[0].hasPrefix("Some weights of \(parameters.config.family.architecture) were not initialized"))
        let names = head.flatMap { ["'\($0).weight'", "'\($0).bias'"] }.joined(separator: ", ")
        #expect(checkpoint.notices[0].contains(names), "\(checkpoint.notices[0])")
    }

    /// The head is found under the family's name (RoBERTa's `classifier.out_proj`), so data with another
    /// number of labels gets the message that says so, not a shape mismatch.
    @Test(arguments: families)
    func aHeadForOtherLabelsIsNamedAsSuch(family: String) throws {
        do {
            _ = try ModelCheckpoint(folder: Self.folder(family), labels: ["a", "b"])
            Issue.record("expected an error")
        } catch {
            #expect(error.message == "The checkpoint's classification head has 4 labels, but the data has 2.")
        }
    }

    @Test func sinusoidalPositionsAreAnError() throws {
        let scratch = ScratchFolder()
        let config = try String(contentsOfFile: Self.folder("distilbert") + "/config.json", encoding: .utf8)
        scratch.write("config.json", config.replacingOccurrences(of: "\"sinusoidal_pos_embds\": false", with: "\"sinusoidal_pos_embds\": true"))
        #expect(throws: ModelError.self) { try ModelConfig(contentsOf: scratch.path + "/config.json") }
    }

    @Test func anUnknownModelTypeNamesTheFamiliesLecternRuns() throws {
        let scratch = ScratchFolder()
        scratch.write("config.json", #"{"model_type": "gpt2"}"#)
        do {
            _ = try ModelConfig(contentsOf: scratch.path + "/config.json")
            Issue.record("expected an error")
        } catch {
            #expect(error.message == "This is a `gpt2` model; Lectern runs `bert` and `distilbert` and `roberta` models (config.json's model_type).")
        }
    }
}
