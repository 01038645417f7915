import Foundation
import LecternData
import LecternEngine
import LecternTranscript

/// What `evaluate` shows for regression and multi-label data (single-label classification keeps
/// its confusion matrix and per-class table in `EvaluateDirective.report`).
enum EvaluationReport {
    /// The metrics, the errors' distribution, and the first predictions beside the truth.
    static func regression(results: [(key: String, value: Double)], predictions: [Double], truth: [Double], split: String) -> CellResult {
        let errors = zip(predictions, truth).map { $0 - $1 }
        var blocks: [OutputBlock] = [
            .table(OutputTable(title: "Metrics on \(split) (\(truth.count.grouped) examples)", columns: ["Metric", "Value"],
                               rows: results.map { [$0.key, CellMetrics.shown($0.value)] }, numericColumns: [1])),
        ]
        blocks.append(.chart(LoadReport.histogram(errors, title: "Prediction errors on \(split)", xLabel: "predicted − true score", yLabel: "texts")))
        blocks.append(.table(OutputTable(title: "First predictions", columns: ["Row", "True score", "Predicted"],
                                         rows: zip(truth, predictions).prefix(10).enumerated().map { index, pair in
                                             [String(index + 1), String(format: "%.4f", pair.0), String(format: "%.4f", pair.1)]
                                         }, numericColumns: [0, 1, 2])))
        return CellResult(outputs: .object([("split", .string(split)), ("problem_type", .string("regression")),
                                            ("metrics", .object(results.map { (key: $0.key, value: .double($0.value)) }))]), blocks: blocks)
    }

    /// The metrics and a per-label table (precision, recall, F1, support at the threshold), with a chart of each label's F1.
    static func multiLabel(results: [(key: String, value: Double)], logits: [Float], truth: [[Int]], labelNames: [String], split: String,
                           threshold: Double, zeroDivision: Double) -> CellResult {
        let hot = truth.map { row in (0..<labelNames.count).map { row.contains($0) ? Float(1) : 0 } }
        let metrics = MultiLabelMetrics(logits: logits, truth: hot, threshold: threshold)
        let perLabel = metrics.perLabelScores(zeroDivision: zeroDivision)
        let blocks: [OutputBlock] = [
            .table(OutputTable(title: "Metrics on \(split) (\(truth.count.grouped) examples, threshold \(threshold))", columns: ["Metric", "Value"],
                               rows: results.map { [$0.key, CellMetrics.shown($0.value)] }, numericColumns: [1])),
            .table(OutputTable(title: "Per label", columns: ["Label", "Precision", "Recall", "F1", "Support"],
                               rows: labelNames.enumerated().map { index, name in
                                   let scores = perLabel[index]
                                   return [name, String(format: "%.4f", scores.precision), String(format: "%.4f", scores.recall),
                                           String(format: "%.4f", scores.f1), scores.support.grouped]
                               }, numericColumns: [1, 2, 3, 4])),
            .chart(Chart(title: "F1 per label on \(split)", kind: .bars(categories: labelNames, groups: [Chart.BarGroup(name: "F1", values: perLabel.map(\.f1))]),
                         xLabel: "label", yLabel: "F1")),
        ]
        let json: [(key: String, value: JSONValue)] = [
            ("split", .string(split)), ("problem_type", .string("multi_label_classification")), ("threshold", .double(threshold)),
            ("metrics", .object(results.map { (key: $0.key, value: .double($0.value)) })),
            ("label_names", .array(labelNames.map { .string($0) })),
            ("per_label", .object(labelNames.enumerated().map { index, name in
                (key: name, value: .object([("precision", .double(perLabel[index].precision)), ("recall", .double(perLabel[index].recall)),
                                            ("f1", .double(perLabel[index].f1)), ("support", .int(perLabel[index].support))]))
            })),
        ]
        return CellResult(outputs: .object(json), blocks: blocks)
    }
}

/// What `load` shows for regression and multi-label data: the scores' spread per split, or how many
/// texts carry each label.
enum LoadReport {
    /// Count, mean, standard deviation, minimum, median and maximum of each split's scores, and the training split's histogram.
    static func scores(_ dataset: Dataset) -> (blocks: [OutputBlock], json: JSONValue) {
        var rows: [[String]] = [], json: [(key: String, value: JSONValue)] = []
        for split in dataset.splits {
            guard case let .scores(values) = split.targets, !values.isEmpty else { continue }
            let sorted = values.sorted(), count = Double(values.count)
            let mean = values.reduce(0, +) / count
            let deviation = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / count).squareRoot()
            let median = sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
            rows.append([split.name, values.count.grouped] + [mean, deviation, sorted[0], median, sorted[sorted.count - 1]].map { String(format: "%.4g", $0) })
            json.append((key: split.name, value: .object([("mean", .double(mean)), ("std", .double(deviation)), ("min", .double(sorted[0])),
                                                          ("median", .double(median)), ("max", .double(sorted[sorted.count - 1]))])))
        }
        var blocks: [OutputBlock] = [.table(OutputTable(title: "Scores", columns: ["Split", "Texts", "Mean", "Std", "Min", "Median", "Max"],
                                                        rows: rows, numericColumns: Set(1...6)))]
        if let training = dataset.trainingSplit, case let .scores(values) = training.targets, !values.isEmpty {
            blocks.append(.chart(histogram(values, title: "Scores in \(training.name)", xLabel: "score", yLabel: "texts")))
        }
        return (blocks, .object(json))
    }

    /// Texts per label and split (a text counts for each label it has), as the class balance is for single labels.
    static func labelSets(_ dataset: Dataset) -> (blocks: [OutputBlock], json: JSONValue) {
        let labels = dataset.labelNames
        var columns = ["Label"]
        for split in dataset.splits { columns += [split.name, "% of texts"] }
        let counts = dataset.splits.map { $0.classCounts(labelCount: labels.count) }
        var rows: [[String]] = labels.enumerated().map { label, name in
            [name] + dataset.splits.indices.flatMap { index in
                [counts[index][label].grouped, String(format: "%.1f", 100 * Double(counts[index][label]) / Double(max(dataset.splits[index].count, 1)))]
            }
        }
        let perText = dataset.splits.map { split -> Double in
            guard case let .sets(values) = split.targets, !values.isEmpty else { return 0 }
            return Double(values.reduce(0) { $0 + $1.count }) / Double(values.count)
        }
        rows.append(["labels per text"] + perText.flatMap { [String(format: "%.2f", $0), ""] })
        let blocks: [OutputBlock] = [
            .table(OutputTable(title: "Label balance", columns: columns, rows: rows, numericColumns: Set(1..<columns.count))),
            .chart(Chart(title: "Label balance", kind: .bars(categories: labels, groups: dataset.splits.enumerated().map { index, split in
                Chart.BarGroup(name: split.name, values: counts[index].map { 100 * Double($0) / Double(max(split.count, 1)) })
            }), xLabel: "label", yLabel: "% of the split's texts")),
        ]
        let json = JSONValue.object(dataset.splits.enumerated().map { index, split in
            (key: split.name, value: .object(labels.enumerated().map { (key: $1, value: .int(counts[index][$0])) }))
        })
        return (blocks, json)
    }

    /// A histogram of `values` in up to 30 bins.
    static func histogram(_ values: [Double], title: String, xLabel: String, yLabel: String) -> Chart {
        let low = values.min() ?? 0, high = values.max() ?? 1
        let width = high > low ? (high - low) / 30 : 1
        let binCount = high > low ? 30 : 1
        var counts = [Int](repeating: 0, count: binCount)
        for value in values { counts[min(Int((value - low) / width), binCount - 1)] += 1 }
        return Chart(title: title, kind: .histogram(edges: (0...binCount).map { low + Double($0) * width }, counts: counts, marker: nil),
                     xLabel: xLabel, yLabel: yLabel)
    }
}

/// What `predict` shows for regression and multi-label models.
enum PredictionReport {
    /// Each label's probability for the first eight texts.
    static func probabilityChart(_ title: String, texts: [String], predictions: [TextClassifier.Prediction], labels: [String]) -> OutputBlock {
        let charted = min(predictions.count, 8)
        return .chart(Chart(title: title + (charted < predictions.count ? " (first \(charted) texts)" : ""),
                            kind: .bars(categories: (0..<charted).map { "\($0 + 1). " + Formatting.excerpt(texts[$0], limit: 100) },
                                        groups: labels.enumerated().map { label, name in
                                            Chart.BarGroup(name: name, values: predictions.prefix(charted).map { Double($0.probabilities[label]) })
                                        }),
                            xLabel: "text", yLabel: "probability"))
    }

    /// Each text's predicted score (beside the true one for a split), and a chart of the first few.
    static func scores(texts: [String], pairs: [String?], predictions: [TextClassifier.Prediction], truth: Labels?, model: String, show: Int,
                       notices: [String]) -> CellResult {
        let shownTexts = zip(texts, pairs).map { text, pair in pair.map { text + " | " + $0 } ?? text }
        var trueScores: [Double]?
        if case let .scores(values)? = truth { trueScores = values }
        var columns = ["Text", "Predicted score"]
        if trueScores != nil { columns.insert("True score", at: 1) }
        let rows = predictions.prefix(show).enumerated().map { index, prediction in
            [Formatting.excerpt(shownTexts[index], limit: 70)] + (trueScores.map { [String(format: "%.4f", $0[index])] } ?? [])
                + [String(format: "%.4f", prediction.probabilities[0])]
        }
        var blocks: [OutputBlock] = notices.map { .notice($0) }
        blocks.append(.table(OutputTable(title: "Predictions of \(model)", columns: columns, rows: rows, numericColumns: Set(1..<columns.count))))
        let charted = min(predictions.count, 8)
        var groups = [Chart.BarGroup(name: "predicted", values: predictions.prefix(charted).map { Double($0.probabilities[0]) })]
        if let trueScores { groups.insert(Chart.BarGroup(name: "true", values: Array(trueScores.prefix(charted))), at: 0) }
        blocks.append(.chart(Chart(title: "Predicted scores" + (charted < predictions.count ? " (first \(charted) texts)" : ""),
                                   kind: .bars(categories: (0..<charted).map { "\($0 + 1). " + Formatting.excerpt(shownTexts[$0], limit: 100) }, groups: groups),
                                   xLabel: "text", yLabel: "score")))
        if predictions.count > show { blocks.append(.text("Showing \(show) of \(predictions.count.grouped) predictions; all are in the JSON transcript.")) }
        let entries: [JSONValue] = predictions.enumerated().map { index, prediction in
            var entry: [(key: String, value: JSONValue)] = [("score", .double(Double(prediction.probabilities[0])))]
            if predictions.count <= 100 { entry.insert(("text", .string(Formatting.transcriptText(texts[index]))), at: 0) }
            if let trueScores { entry.append(("true_score", .double(trueScores[index]))) }
            return .object(entry)
        }
        return CellResult(outputs: .object([("model", .string(model)), ("problem_type", .string("regression")), ("predictions", .array(entries))]),
                          blocks: blocks)
    }

    /// Every label at or above the threshold with its probability (beside the true labels for a split), and each label's probability.
    static func labelSets(texts: [String], pairs: [String?], predictions: [TextClassifier.Prediction], labels: [String], truth: Labels?,
                          threshold: Double, model: String, show: Int, notices: [String]) -> CellResult {
        let shownTexts = zip(texts, pairs).map { text, pair in pair.map { text + " | " + $0 } ?? text }
        var trueSets: [[Int]]?
        if case let .sets(values)? = truth { trueSets = values }
        func chosen(_ prediction: TextClassifier.Prediction) -> [Int] {
            prediction.probabilities.indices.filter { Double(prediction.probabilities[$0]) >= threshold }
        }
        var columns = ["Text", "Predicted labels (probability ≥ \(threshold))"] + labels
        if trueSets != nil { columns.insert("True labels", at: 1) }
        let rows = predictions.prefix(show).enumerated().map { index, prediction in
            let predicted = chosen(prediction).map { "\(labels[$0]) (\(String(format: "%.2f", prediction.probabilities[$0])))" }
            return [Formatting.excerpt(shownTexts[index], limit: 70)]
                + (trueSets.map { [$0[index].map { labels[$0] }.joined(separator: ", ")] } ?? [])
                + [predicted.isEmpty ? "(none)" : predicted.joined(separator: ", ")] + prediction.probabilities.map { String(format: "%.4f", $0) }
        }
        var blocks: [OutputBlock] = notices.map { .notice($0) }
        blocks.append(.table(OutputTable(title: "Predictions of \(model)", columns: columns, rows: rows,
                                         numericColumns: Set((columns.count - labels.count)..<columns.count))))
        blocks.append(probabilityChart("Label probabilities", texts: shownTexts, predictions: predictions, labels: labels))
        if predictions.count > show { blocks.append(.text("Showing \(show) of \(predictions.count.grouped) predictions; all are in the JSON transcript.")) }
        let entries: [JSONValue] = predictions.enumerated().map { index, prediction in
            var entry: [(key: String, value: JSONValue)] = [
                ("labels", .array(chosen(prediction).map { .string(labels[$0]) })),
                ("probabilities", .object(zip(labels, prediction.probabilities).map { (key: $0, value: .double(Double($1))) })),
                ("logits", .array(prediction.logits.map { .double(Double($0)) })),
            ]
            if predictions.count <= 100 { entry.insert(("text", .string(Formatting.transcriptText(texts[index]))), at: 0) }
            if let trueSets { entry.append(("true_labels", .array(trueSets[index].map { .string(labels[$0]) }))) }
            return .object(entry)
        }
        return CellResult(outputs: .object([("model", .string(model)), ("problem_type", .string("multi_label_classification")),
                                            ("threshold", .double(threshold)), ("label_names", .array(labels.map { .string($0) })),
                                            ("predictions", .array(entries))]), blocks: blocks)
    }
}
