import LecternEngine
import LecternNotebook

extension TokenizeDirective {
    /// How padding is recorded: Lectern computes every text at its real length whatever it says.
    public enum Padding: String, Sendable, CaseIterable {
        case maxLength = "max_length", longest, doNotPad = "do_not_pad"
    }

    /// `truncation` as written: off, on (`longest_first`), or a strategy named.
    public enum Truncation: Sendable, Equatable {
        case off, on, named(TruncationStrategy)

        public var cuts: Bool { self != .off }
        public var strategy: TruncationStrategy { if case let .named(strategy) = self { return strategy } else { return .longestFirst } }
    }

    /// The `tokenize` cell's parameters, typed.
    public struct Settings: DirectiveSettings {
        static let padding = Parameter<Padding>.choice("padding", default: .doNotPad,
            "How batches are padded (`max_length`, `longest`, `do_not_pad`); Lectern computes every text at its real length either way.")
        /// `true`/`false`, or a strategy for sentence pairs (`true` is `longest_first`).
        static let truncation = Parameter<Truncation>(
            ParameterSpec("truncation", .booleanOrChoice(TruncationStrategy.allCases.map(\.rawValue)), default: .boolean(false),
                          "Cut texts longer than `max_length` tokens: `true` (`longest_first`), or for sentence pairs `only_first` or `only_second`.")) { value in
            if let strategy = value?.text.flatMap(TruncationStrategy.init(rawValue:)) { return .named(strategy) }
            return value?.flag == true ? .on : .off
        }

        public static let parameters = [ModelChoice.required.spec, padding.spec, truncation.spec, TokenLimit.maxLength.spec]

        public let arguments: DirectiveArguments
        public let model: String
        public let padding: Padding
        public let truncation: Truncation
        /// As given; nil: the tokenizer's `model_max_length` within the model's positions.
        public let maxLength: Int?

        public init(_ arguments: DirectiveArguments) {
            self.arguments = arguments
            model = arguments[ModelChoice.required]
            padding = arguments[Self.padding]
            truncation = arguments[Self.truncation]
            maxLength = arguments[TokenLimit.maxLength]
        }
    }
}
