import Foundation
import Testing
@testable import LecternData

/// Checks the split machinery against `Fixtures/splits.json`, written by
/// `Tests/reference/make_split_fixtures.py` with the real `datasets` and NumPy.
struct SplitParityTests {
    struct Fixture: Decodable {
        struct Case: Decodable {
            let n: Int
            let test_size: Double?
            let train_size: Double?
            let seed: UInt64
            let shuffle: Bool
            let n_train: Int
            let n_test: Int
            let train_head: [Int]
            let test_head: [Int]
            let train_checksum: String
            let test_checksum: String
        }

        struct Expression: Decodable {
            let n: Int
            let spec: String
            let from: Int
            let to: Int
        }

        let splits: [Case]
        let raw: [String: [String]]
        let expressions: [Expression]
    }

    static let fixture: Fixture = {
        let url = Bundle.module.url(forResource: "Fixtures/splits", withExtension: "json")!
        return try! JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }()

    /// Python's `int` and `float` are told apart by the JSON text: `1` is a count, `0.2` a fraction.
    static func size(_ value: Double?) -> TrainTestSplit.Size? {
        guard let value else { return nil }
        return value == value.rounded() && value >= 1 ? .count(Int(value)) : .fraction(value)
    }

    static func checksum(_ indices: [Int]) -> String {
        var value: UInt64 = 0
        for index in indices { value = value &* 1_000_003 &+ UInt64(index + 1) }
        return String(value)
    }

    @Test func rawPCG64OutputMatchesNumPy() {
        for (seed, expected) in Self.fixture.raw {
            var generator = NumPyGenerator(seed: UInt64(seed)!)
            let outputs = (0..<expected.count).map { _ in String(generator.nextUInt64()) }
            #expect(outputs == expected, "seed \(seed)")
        }
    }

    @Test func trainTestSplitMatchesDatasetsExactly() throws {
        #expect(Self.fixture.splits.count > 300)
        for item in Self.fixture.splits {
            let split = TrainTestSplit(testSize: Self.size(item.test_size), trainSize: Self.size(item.train_size),
                                       seed: item.seed, shuffle: item.shuffle)
            let (train, test) = try split.indices(count: item.n)
            let label = "n=\(item.n) test_size=\(String(describing: item.test_size)) train_size=\(String(describing: item.train_size)) seed=\(item.seed)"
            #expect(train.count == item.n_train, "\(label)")
            #expect(test.count == item.n_test, "\(label)")
            #expect(Array(train.prefix(12)) == item.train_head, "\(label)")
            #expect(Array(test.prefix(12)) == item.test_head, "\(label)")
            #expect(Self.checksum(train) == item.train_checksum, "\(label)")
            #expect(Self.checksum(test) == item.test_checksum, "\(label)")
        }
    }

    @Test func splitExpressionsSelectTheRowsDatasetsSelects() throws {
        for item in Self.fixture.expressions {
            let expression = try SplitExpression(item.spec)
            let range = SplitExpression.range(of: expression.parts[0], count: item.n)
            let expected = item.from..<max(item.from, item.to)
            #expect(range == expected, "\(item.spec) of \(item.n) rows")
        }
    }

    @Test(arguments: ["train[", "train[1]", "[:10]", "train[:10%:]", "train[5%:10]", "train[:101%]", "train[a:b]", ""])
    func malformedSplitExpressionsAreRejected(_ text: String) {
        #expect(throws: DataError.self) { try SplitExpression(text) }
    }

    @Test func impossibleSizesGiveDatasetsErrors() {
        #expect(throws: DataError.self) { try TrainTestSplit(testSize: .count(10), seed: 1).indices(count: 10) }
        #expect(throws: DataError.self) { try TrainTestSplit(testSize: .fraction(0.9), trainSize: .fraction(0.2), seed: 1).indices(count: 10) }
        #expect(throws: DataError.self) { try TrainTestSplit(testSize: .fraction(0.5), seed: 1).indices(count: 0) }
        // One row cannot be split: the training part would be empty.
        #expect(throws: DataError.self) { try TrainTestSplit(testSize: .fraction(0.5), seed: 1).indices(count: 1) }
    }
}
