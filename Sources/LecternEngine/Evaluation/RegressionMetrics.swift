import Foundation

/// The errors and correlations of predicted scores against true ones, as scikit-learn
/// (`mean_squared_error`, `mean_absolute_error`) and SciPy (`pearsonr`, `spearmanr`) compute them.
public struct RegressionMetrics: Sendable {
    public let mse: Double
    public let rmse: Double
    public let mae: Double
    /// NaN when either side is constant, as SciPy gives it.
    public let pearson: Double
    public let spearman: Double

    public init(predictions: [Double], truth: [Double]) {
        let count = Double(max(truth.count, 1))
        let errors = zip(predictions, truth).map { $0 - $1 }
        mse = errors.reduce(0) { $0 + $1 * $1 } / count
        rmse = mse.squareRoot()
        mae = errors.reduce(0) { $0 + abs($1) } / count
        pearson = Self.correlation(predictions, truth)
        spearman = Self.correlation(Self.ranks(predictions), Self.ranks(truth))
    }

    /// Pearson's r of two samples, from their centred values (clipped to [-1, 1] as SciPy does).
    static func correlation(_ x: [Double], _ y: [Double]) -> Double {
        guard x.count >= 2 else { return .nan }
        let meanX = x.reduce(0, +) / Double(x.count), meanY = y.reduce(0, +) / Double(y.count)
        let centredX = x.map { $0 - meanX }, centredY = y.map { $0 - meanY }
        let normX = centredX.reduce(0) { $0 + $1 * $1 }.squareRoot(), normY = centredY.reduce(0) { $0 + $1 * $1 }.squareRoot()
        guard normX > 0, normY > 0 else { return .nan }
        let r = zip(centredX, centredY).reduce(0) { $0 + ($1.0 / normX) * ($1.1 / normY) }
        return min(1, max(-1, r))
    }

    /// Ranks from 1, ties given the mean of the ranks they span (`scipy.stats.rankdata`, method "average").
    static func ranks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var start = 0
        while start < order.count {
            var end = start + 1
            while end < order.count, values[order[end]] == values[order[start]] { end += 1 }
            let rank = Double(start + end + 1) / 2
            for position in start..<end { ranks[order[position]] = rank }
            start = end
        }
        return ranks
    }
}
