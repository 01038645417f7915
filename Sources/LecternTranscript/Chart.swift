/// A plot in a transcript, described by its data; `SVGChart` draws it. The transcript knows
/// lines, bars and grids of numbers, not what they measure.
public struct Chart: Sendable, Codable {
    public enum Kind: Sendable, Codable {
        /// Lines (or, with `markers`, points) over a numeric x axis.
        case lines([Series])
        /// Bars per category, one bar per group side by side (e.g. train and test per class).
        case bars(categories: [String], groups: [BarGroup])
        /// A grid of counts, darker for larger values, each cell labelled (a confusion matrix).
        case heatmap(rows: [String], columns: [String], values: [[Int]])
        /// Counts over numeric bins `edges[i]..<edges[i+1]`, with an optional vertical marker.
        case histogram(edges: [Double], counts: [Int], marker: Marker?)
    }

    public struct Point: Sendable, Codable {
        public var x: Double
        public var y: Double

        public init(x: Double, y: Double) {
            self.x = x
            self.y = y
        }
    }

    public struct Series: Sendable, Codable {
        public var name: String
        public var points: [Point]
        /// Points only (e.g. one evaluation per epoch), rather than a line.
        public var markers: Bool

        public init(name: String, points: [(x: Double, y: Double)], markers: Bool = false) {
            self.name = name
            self.points = points.map { Point(x: $0.x, y: $0.y) }
            self.markers = markers
        }
    }

    public struct BarGroup: Sendable, Codable {
        public var name: String
        public var values: [Double]

        public init(name: String, values: [Double]) {
            self.name = name
            self.values = values
        }
    }

    public struct Marker: Sendable, Codable {
        public var x: Double
        public var label: String

        public init(x: Double, label: String) {
            self.x = x
            self.label = label
        }
    }

    public var title: String
    public var kind: Kind
    public var xLabel: String
    public var yLabel: String

    public init(title: String, kind: Kind, xLabel: String, yLabel: String) {
        self.title = title
        self.kind = kind
        self.xLabel = xLabel
        self.yLabel = yLabel
    }
}
