import Foundation
import LecternTranscript

/// The page that compares the variants of a parameter sweep: a table of each variant's settings,
/// status and final metrics, with links to its transcript, and the loss curves overlaid.
public enum SweepReport {
    public struct Variant: Sendable {
        /// The swept parameters of this variant, in sweep order.
        public var settings: [(name: String, value: String)]
        public var transcript: Transcript
        /// The variant's HTML transcript, relative to the comparison page.
        public var link: String

        public init(settings: [(name: String, value: String)], transcript: Transcript, link: String) {
            self.settings = settings
            self.transcript = transcript
            self.link = link
        }
    }

    public static func transcript(title: String, notebook: String, variants: [Variant], runInfo: [(label: String, value: String)],
                                  startedAt: Date, seconds: Double) -> Transcript {
        let names = variants.first?.settings.map(\.name) ?? []
        let metricKeys = orderedUnion(variants.map { finalMetrics($0.transcript).map(\.key) })
        var rows: [[String]] = []
        var entries: [JSONValue] = []
        for (number, variant) in variants.enumerated() {
            let metrics = finalMetrics(variant.transcript)
            let values = metricKeys.map { key in metrics.first { $0.key == key }.map { CellMetrics.shown($0.value) } ?? "–" }
            rows.append(["\(number + 1)"] + variant.settings.map(\.value) + [variant.transcript.status.rawValue] + values + [variant.link])
            entries.append(.object([("settings", .object(variant.settings.map { (key: $0.name, value: .string($0.value)) })),
                                    ("status", .string(variant.transcript.status.rawValue)), ("transcript", .string(variant.link)),
                                    ("metrics", .object(metrics.map { (key: $0.key, value: .double($0.value)) }))]))
        }
        var blocks: [OutputBlock] = [
            .text("\(variants.count) variants of \(notebook), one for each combination of " + names.joined(separator: ", ")
                  + ". Cells whose inputs two variants share ran once and were reused from the cache."),
            .table(OutputTable(title: "Final metrics", columns: ["#"] + names + ["Status"] + metricKeys + ["Transcript"], rows: rows,
                               numericColumns: Set(0..<1).union(Set((names.count + 2)..<(names.count + 2 + metricKeys.count))),
                               linkColumns: [names.count + 2 + metricKeys.count])),
        ]
        let curves = variants.enumerated().compactMap { number, variant -> Chart.Series? in
            let points = trainingLoss(variant.transcript)
            guard !points.isEmpty else { return nil }
            return Chart.Series(name: "#\(number + 1) " + variant.settings.map { "\($0.name)=\($0.value)" }.joined(separator: " "), points: points)
        }
        if !curves.isEmpty {
            blocks.append(.chart(Chart(title: "Training loss", kind: .lines(curves), xLabel: "step", yLabel: "cross-entropy loss")))
        }
        let record = DirectiveRecord(index: 0, directive: "compare", line: 1, source: names.map { "\($0): sweep" }.joined(separator: "\n") + "\n",
                                     status: .ok, startedAt: startedAt, seconds: seconds,
                                     outputs: .object([("variants", .array(entries))]), blocks: blocks)
        let failed = variants.contains { $0.transcript.status != .ok }
        return Transcript(title: title, notebook: notebook, status: failed ? .error : .ok, parameters: [], runInfo: runInfo,
                          startedAt: startedAt, seconds: seconds, cells: [.directive(record)], diagnostics: [])
    }

    /// The last `evaluate` cell's metrics (timings left out), then the last `train` cell's loss and runtime.
    static func finalMetrics(_ transcript: Transcript) -> [(key: String, value: Double)] {
        var metrics: [(key: String, value: Double)] = []
        if let evaluate = transcript.directiveRecords.last(where: { $0.directive == "evaluate" && $0.status == .ok }),
           case let .object(entries)? = evaluate.outputs["metrics"] {
            metrics += entries.compactMap { entry in
                guard !entry.key.hasSuffix("_runtime"), !entry.key.hasSuffix("_per_second"), let value = number(entry.value) else { return nil }
                return (key: entry.key, value: value)
            }
        }
        if let train = transcript.directiveRecords.last(where: { $0.directive == "train" && $0.status == .ok }),
           case let .object(entries)? = train.outputs["metrics"] {
            metrics += entries.filter { ["train_loss", "train_runtime"].contains($0.key) }.compactMap { entry in
                number(entry.value).map { (key: entry.key, value: $0) }
            }
        }
        return metrics
    }

    /// The logged training loss of the last `train` cell, by step.
    static func trainingLoss(_ transcript: Transcript) -> [(x: Double, y: Double)] {
        guard let train = transcript.directiveRecords.last(where: { $0.directive == "train" && $0.status == .ok }),
              case let .array(history)? = train.outputs["log_history"] else { return [] }
        return history.compactMap { entry in
            guard let loss = entry["loss"].flatMap(number), let step = entry["step"].flatMap(number) else { return nil }
            return (x: step, y: loss)
        }
    }

    static func number(_ value: JSONValue) -> Double? {
        switch value {
        case let .double(number): return number
        case let .int(number): return Double(number)
        default: return nil
        }
    }

    static func orderedUnion(_ lists: [[String]]) -> [String] {
        var seen: [String] = []
        for key in lists.joined() where !seen.contains(key) { seen.append(key) }
        return seen
    }
}
