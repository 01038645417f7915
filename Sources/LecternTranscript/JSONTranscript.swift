import Foundation

extension Transcript {
    /// The machine-readable transcript (schema in docs/transcript-json.md).
    public var json: JSONValue {
        var cellsJSON: [JSONValue] = []
        for record in directiveRecords {
            var entry: [(key: String, value: JSONValue)] = [
                ("index", .int(record.index)),
                ("directive", .string(record.directive)),
                ("line", .int(record.line)),
                ("status", .string(record.status.rawValue)),
                ("cached", .bool(record.cached)),
                ("started_at", record.startedAt.map { .string(Self.timestamp($0)) } ?? .null),
                ("seconds", record.seconds.map { .double(Self.roundedSeconds($0)) } ?? .null),
                ("parameters", .object(record.parameters.map { (key: $0.name, value: Formatting.transcriptValue($0.value)) })),
                ("outputs", record.outputs),
            ]
            if let computed = record.computed {
                entry.append(("computed", .object([("started_at", .string(Self.timestamp(computed.startedAt))),
                                                   ("seconds", .double(Self.roundedSeconds(computed.seconds))), ("machine", .string(computed.machine))])))
            }
            if let error = record.error { entry.append(("error", .string(error))) }
            if let reason = record.skipReason { entry.append(("skip_reason", .string(reason))) }
            cellsJSON.append(.object(entry))
        }
        var top: [(key: String, value: JSONValue)] = [
            ("notebook", .string(notebook)),
            ("title", .string(title)),
            ("status", .string(status.rawValue)),
            ("params", .object(parameters.map { (key: $0.name, value: Formatting.transcriptValue($0.value)) })),
            ("run", .object(runInfo.map { (key: Self.key($0.label), value: .string($0.value)) })),
            ("warnings", .array(warnings.map { .string($0) })),
            ("notes", .array(notes.map { .string($0) })),
            ("started_at", .string(Self.timestamp(startedAt))),
            ("seconds", .double(Self.roundedSeconds(seconds))),
            ("diagnostics", .array(diagnostics.map { .string($0) })),
            ("cells", .array(cellsJSON)),
        ]
        // Only a notebook that weaves values into its prose has the list (others' transcripts stay as they were).
        if !woven.isEmpty {
            top.insert(("woven", .array(woven.map { value in
                .object([("reference", .string(value.reference)), ("value", value.value.map { .string($0) } ?? .null),
                         ("source", .string(value.source)), ("line", .int(value.line))])
            })), at: top.count - 1)
        }
        return .object(top)
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    /// Milliseconds are all a reader of timings needs.
    static func roundedSeconds(_ seconds: Double) -> Double { (seconds * 1000).rounded() / 1000 }

    /// "Lectern version" → "lectern_version".
    static func key(_ label: String) -> String {
        label.lowercased().map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
    }
}
