import LecternNotebook

extension PredictDirective {
    /// The `predict` cell's parameters, typed.
    public struct Settings: DirectiveSettings {
        static let text = Parameter<String?>.text("text", "One text to classify.")
        static let texts = Parameter<[String]?>(ParameterSpec("texts", .list(of: .string), "Several texts to classify.")) { value in
            guard case let .list(items)? = value else { return nil }
            return items.map(\.description)
        }
        static let split = Parameter<String?>.text("split", "Classify every row of this split of the loaded dataset (e.g. `test`).")
        static let batchSize = Parameter<Int>.integer("batch_size", 1...4096, default: 32, "Texts per forward pass.")
        static let show = Parameter<Int>.integer("show", 0...10_000, default: 10, "How many rows of a split to show in the transcript.")

        public static let parameters = [text.spec, texts.spec, split.spec, ModelChoice.instead.spec, TokenLimit.maxLength.spec, batchSize.spec,
                                        show.spec, PrecisionChoice.bf16.spec, CellMetrics.threshold.spec]
        public static let exclusiveGroups = [[text.name, texts.name]]

        public let arguments: DirectiveArguments
        /// The texts given in the cell (`text` or `texts`).
        public let texts: [String]
        public let split: String?
        /// nil: the model trained above.
        public let model: String?
        public let maxLength: Int?
        public let batchSize: Int
        public let show: Int
        public let precision: PrecisionChoice
        public let threshold: Double

        public init(_ arguments: DirectiveArguments) {
            self.arguments = arguments
            texts = arguments[Self.text].map { [$0] } ?? arguments[Self.texts] ?? []
            split = arguments[Self.split]
            model = arguments[ModelChoice.instead]
            maxLength = arguments[TokenLimit.maxLength]
            batchSize = arguments[Self.batchSize]
            show = arguments[Self.show]
            precision = PrecisionChoice(arguments)
            threshold = arguments[CellMetrics.threshold] ?? 0.5
        }

        public func check() -> [Diagnostic] {
            guard !arguments.isGiven(Self.text), !arguments.isGiven(Self.texts), split == nil else { return [] }
            return [Diagnostic("`predict` needs something to classify.", at: arguments.location, hint: "Add `text: ...`, a list under `texts:`, or `split: test`.")]
        }
    }
}
