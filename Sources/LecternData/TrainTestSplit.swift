import Foundation

/// `datasets.Dataset.train_test_split`, reproduced exactly: the same sizes, the same checks,
/// and with `shuffle` the same permutation from `numpy.random.default_rng(seed)`.
public struct TrainTestSplit: Sendable {
    /// A fraction (0 < x < 1) or a count (x ≥ 1), as `datasets` takes a float or an int.
    public enum Size: Sendable, Equatable {
        case fraction(Double)
        case count(Int)
    }

    public var testSize: Size?
    public var trainSize: Size?
    public var seed: UInt64
    public var shuffle: Bool

    public init(testSize: Size?, trainSize: Size? = nil, seed: UInt64, shuffle: Bool = true) {
        self.testSize = testSize
        self.trainSize = trainSize
        self.seed = seed
        self.shuffle = shuffle
    }

    /// The row indices of each part, for a split of `count` rows.
    public func indices(count: Int) throws(DataError) -> (train: [Int], test: [Int]) {
        func problem(_ message: String) -> DataError { DataError(message, file: "test_size") }
        if count == 0 { throw problem("There are no rows to split.") }
        if case let .count(n) = testSize, n >= count || n <= 0 {
            throw problem("test_size=\(n) must be smaller than the number of rows (\(count)).")
        }
        if case let .count(n) = trainSize, n >= count || n <= 0 {
            throw problem("train_size=\(n) must be smaller than the number of rows (\(count)).")
        }
        if case let .fraction(test) = testSize, case let .fraction(train) = trainSize, test + train > 1 {
            throw problem("test_size + train_size = \(test + train) is more than 1.")
        }
        // datasets' default when neither is given.
        let testSize = self.testSize ?? (trainSize == nil ? .fraction(0.25) : nil)
        var nTest: Int?
        var nTrain: Int?
        switch testSize {
        case let .fraction(value)?: nTest = Int((value * Double(count)).rounded(.up))
        case let .count(value)?: nTest = value
        case nil: break
        }
        switch trainSize {
        case let .fraction(value)?: nTrain = Int((value * Double(count)).rounded(.down))
        case let .count(value)?: nTrain = value
        case nil: break
        }
        let test = nTest ?? (count - nTrain!)
        let train = nTrain ?? (count - test)
        if train + test > count {
            throw problem("train and test would need \(train + test) rows, but there are \(count).")
        }
        if train == 0 {
            throw problem("With \(count) rows the training part would be empty.")
        }
        if !shuffle {
            return (Array(0..<train), Array(train..<(train + test)))
        }
        var generator = NumPyGenerator(seed: seed)
        let permutation = generator.permutation(count)
        return (Array(permutation[test..<(test + train)]), Array(permutation[..<test]))
    }
}
