import Foundation

/// Draws a `Chart` as a self-contained SVG: no script, no fonts to fetch, scalable (viewBox),
/// text and axes in `currentColor` so it follows the page's light or dark theme, series in the
/// Okabe–Ito palette (told apart with colour blindness) with dash patterns, marker shapes and
/// lightness differences that survive printing in grey.
public enum SVGChart {
    static let width = 640.0, height = 320.0
    static let left = 64.0, right = 16.0, top = 40.0, bottom = 48.0
    static let palette = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#999999", "#F0E442"]
    static let dashes = ["", "6 3", "2 3", "8 3 2 3"]

    public static func render(_ chart: Chart) -> String {
        var svg = SVGBuilder(title: chart.title)
        switch chart.kind {
        case let .lines(series): lines(series, chart: chart, into: &svg)
        case let .bars(categories, groups): bars(categories: categories, groups: groups, chart: chart, into: &svg)
        case let .heatmap(rows, columns, values): heatmap(rows: rows, columns: columns, values: values, chart: chart, into: &svg)
        case let .histogram(edges, counts, marker): histogram(edges: edges, counts: counts, marker: marker, chart: chart, into: &svg)
        }
        return svg.finish()
    }

    // MARK: Kinds

    static func lines(_ series: [Chart.Series], chart: Chart, into svg: inout SVGBuilder) {
        let xs = series.flatMap { $0.points.map(\.x) }, ys = series.flatMap { $0.points.map(\.y) }
        let xScale = Scale(values: xs, from: left, to: width - right)
        let yScale = Scale(values: ys, from: height - bottom, to: top, includeZero: false)
        axes(x: xScale, y: yScale, chart: chart, into: &svg)
        for (index, item) in series.enumerated() {
            let colour = palette[index % palette.count]
            let points = item.points.map { (xScale.position($0.x), yScale.position($0.y)) }
            if item.markers || points.count == 1 {
                for point in points { svg.marker(at: point, shape: index, colour: colour) }
            } else {
                svg.polyline(points, colour: colour, dash: dashes[index % dashes.count])
            }
        }
        legend(series.enumerated().map { ($0.element.name, $0.offset, $0.element.markers) }, into: &svg)
    }

    static func bars(categories: [String], groups: [Chart.BarGroup], chart: Chart, into svg: inout SVGBuilder) {
        let yScale = Scale(values: groups.flatMap(\.values), from: height - bottom, to: top, includeZero: true)
        let band = (width - left - right) / Double(max(categories.count, 1))
        let barWidth = band * 0.8 / Double(max(groups.count, 1))
        svg.yAxis(yScale, left: left, right: width - right, label: chart.yLabel)
        for (index, category) in categories.enumerated() {
            let centre = left + band * (Double(index) + 0.5)
            svg.text(SVGChart.shorten(category, to: max(4, Int(band / 7))), at: (centre, height - bottom + 16), anchor: "middle")
        }
        for (groupIndex, group) in groups.enumerated() {
            let colour = palette[groupIndex % palette.count]
            for (index, value) in group.values.enumerated() where index < categories.count {
                let x = left + band * Double(index) + band * 0.1 + barWidth * Double(groupIndex)
                let y = yScale.position(value), base = yScale.position(0)
                svg.rect(x: x, y: min(y, base), width: barWidth * 0.92, height: abs(base - y), fill: colour,
                         tooltip: "\(group.name), \(categories[index]): \(tickLabel(value))")
            }
        }
        svg.text(chart.xLabel, at: ((left + width - right) / 2, height - 8), anchor: "middle")
        if groups.count > 1 { legend(groups.enumerated().map { ($0.element.name, $0.offset, false) }, filled: true, into: &svg) }
    }

    static func heatmap(rows: [String], columns: [String], values: [[Int]], chart: Chart, into svg: inout SVGBuilder) {
        let largest = max(values.flatMap { $0 }.max() ?? 1, 1)
        let labelWidth = 110.0
        let cell = min((width - labelWidth - right) / Double(max(columns.count, 1)), (height - top - bottom - 8) / Double(max(rows.count, 1)))
        let originX = labelWidth, originY = top
        for (row, name) in rows.enumerated() {
            svg.text(shorten(name, to: 14), at: (originX - 6, originY + cell * (Double(row) + 0.5) + 4), anchor: "end")
            for column in columns.indices {
                let value = row < values.count && column < values[row].count ? values[row][column] : 0
                let share = Double(value) / Double(largest)
                svg.rect(x: originX + cell * Double(column), y: originY + cell * Double(row), width: cell - 1, height: cell - 1,
                         fill: blue(share), tooltip: "\(name) → \(columns[column]): \(value)")
                svg.text(String(value), at: (originX + cell * (Double(column) + 0.5), originY + cell * (Double(row) + 0.5) + 4),
                         anchor: "middle", colour: share > 0.55 ? "#ffffff" : "#1f2328")
            }
        }
        for (column, name) in columns.enumerated() {
            svg.text(shorten(name, to: max(4, Int(cell / 7))), at: (originX + cell * (Double(column) + 0.5), originY + cell * Double(rows.count) + 16), anchor: "middle")
        }
        svg.text(chart.xLabel, at: (originX + cell * Double(columns.count) / 2, originY + cell * Double(rows.count) + 38), anchor: "middle")
        svg.text(chart.yLabel, at: (14, originY + cell * Double(rows.count) / 2), anchor: "middle", rotate: true)
    }

    static func histogram(edges: [Double], counts: [Int], marker: Chart.Marker?, chart: Chart, into svg: inout SVGBuilder) {
        let xScale = Scale(values: edges + (marker.map { [$0.x] } ?? []), from: left, to: width - right, includeZero: true)
        let yScale = Scale(values: counts.map(Double.init), from: height - bottom, to: top, includeZero: true)
        axes(x: xScale, y: yScale, chart: chart, into: &svg)
        for (index, count) in counts.enumerated() where index + 1 < edges.count {
            let x0 = xScale.position(edges[index]), x1 = xScale.position(edges[index + 1])
            let y = yScale.position(Double(count)), base = yScale.position(0)
            svg.rect(x: x0, y: y, width: max(x1 - x0 - 1, 0.5), height: base - y, fill: palette[0],
                     tooltip: "\(tickLabel(edges[index]))–\(tickLabel(edges[index + 1])): \(count)")
        }
        if let marker {
            let x = xScale.position(marker.x)
            svg.line(from: (x, top), to: (x, height - bottom), colour: palette[5], dash: "5 3", width: 2)
            // The label goes on the side of the line with room for it.
            let leftHalf = x < (left + width - right) / 2
            svg.text(marker.label, at: (leftHalf ? x + 4 : x - 4, top + 12), anchor: leftHalf ? "start" : "end", colour: palette[5])
        }
    }

    // MARK: Pieces

    static func axes(x: Scale, y: Scale, chart: Chart, into svg: inout SVGBuilder) {
        svg.yAxis(y, left: left, right: width - right, label: chart.yLabel)
        svg.line(from: (left, height - bottom), to: (width - right, height - bottom), colour: "currentColor", dash: "", width: 1)
        for tick in x.ticks {
            let position = x.position(tick)
            svg.line(from: (position, height - bottom), to: (position, height - bottom + 4), colour: "currentColor", dash: "", width: 1)
            svg.text(tickLabel(tick), at: (position, height - bottom + 16), anchor: "middle")
        }
        svg.text(chart.xLabel, at: ((left + width - right) / 2, height - 8), anchor: "middle")
    }

    /// Legend entries in the title row, right-aligned.
    static func legend(_ entries: [(name: String, index: Int, markers: Bool)], filled: Bool = false, into svg: inout SVGBuilder) {
        var x = width - right
        for entry in entries.reversed() {
            let textWidth = Double(entry.name.count) * 6.6
            x -= textWidth
            svg.text(entry.name, at: (x, 18), anchor: "start")
            let colour = palette[entry.index % palette.count]
            if filled {
                svg.rect(x: x - 16, y: 9, width: 11, height: 11, fill: colour, tooltip: nil)
            } else if entry.markers {
                svg.marker(at: (x - 10, 14), shape: entry.index, colour: colour)
            } else {
                svg.line(from: (x - 26, 14), to: (x - 4, 14), colour: colour, dash: dashes[entry.index % dashes.count], width: 2)
            }
            x -= 34
        }
    }

    /// White to dark blue, for a share of the largest value.
    static func blue(_ share: Double) -> String {
        let light = (247.0, 251.0, 255.0), dark = (8.0, 48.0, 107.0)
        let t = min(max(share, 0), 1)
        func mix(_ a: Double, _ b: Double) -> Int { Int((a + (b - a) * t).rounded()) }
        return String(format: "#%02x%02x%02x", mix(light.0, dark.0), mix(light.1, dark.1), mix(light.2, dark.2))
    }

    static func shorten(_ text: String, to limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(max(limit - 1, 1))) + "…"
    }

    /// Short tick labels: 0.25, 1.5k, 5e-5.
    static func tickLabel(_ value: Double) -> String {
        if value == 0 { return "0" }
        let magnitude = abs(value)
        if magnitude >= 10_000 { return String(format: "%gk", (value / 1000 * 10).rounded() / 10) }
        if magnitude < 0.001 { return String(format: "%.2g", value).replacingOccurrences(of: "e-0", with: "e-") }
        return String(format: "%g", (value * 1000).rounded() / 1000)
    }
}

/// A linear map from data values to positions, over a range padded to "nice" tick values.
struct Scale {
    let lower: Double, upper: Double
    let from: Double, to: Double
    let ticks: [Double]

    init(values: [Double], from: Double, to: Double, includeZero: Bool = false) {
        var low = values.min() ?? 0, high = values.max() ?? 1
        if includeZero { low = min(low, 0); high = max(high, 0) }
        if high - low < 1e-12 { low -= 1; high += 1 }
        let step = Scale.niceStep((high - low) / 5)
        let first = (low / step).rounded(.down) * step, last = (high / step).rounded(.up) * step
        lower = first
        upper = last
        self.from = from
        self.to = to
        ticks = stride(from: first, through: last + step / 2, by: step).map { ($0 / step).rounded() * step }
    }

    func position(_ value: Double) -> Double { from + (value - lower) / (upper - lower) * (to - from) }

    /// 1, 2 or 5 times a power of ten.
    static func niceStep(_ raw: Double) -> Double {
        let power = pow(10, (log10(raw)).rounded(.down))
        let fraction = raw / power
        return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power
    }
}

/// Accumulates SVG elements; numbers are written with one decimal.
struct SVGBuilder {
    private var body = ""
    private let title: String

    init(title: String) { self.title = title }

    static func number(_ value: Double) -> String { String(format: "%.1f", value) }

    mutating func text(_ content: String, at point: (Double, Double), anchor: String, colour: String? = nil, rotate: Bool = false) {
        let (x, y) = (Self.number(point.0), Self.number(point.1))
        body += "<text x=\"\(x)\" y=\"\(y)\" text-anchor=\"\(anchor)\""
            + (colour.map { " fill=\"\($0)\"" } ?? "")
            + (rotate ? " transform=\"rotate(-90 \(x) \(y))\"" : "") + ">\(Formatting.escapeHTML(content))</text>"
    }

    mutating func line(from a: (Double, Double), to b: (Double, Double), colour: String, dash: String, width: Double) {
        body += "<line x1=\"\(Self.number(a.0))\" y1=\"\(Self.number(a.1))\" x2=\"\(Self.number(b.0))\" y2=\"\(Self.number(b.1))\" stroke=\"\(colour)\" stroke-width=\"\(width)\""
            + (dash.isEmpty ? "" : " stroke-dasharray=\"\(dash)\"") + "/>"
    }

    mutating func polyline(_ points: [(Double, Double)], colour: String, dash: String) {
        let list = points.map { "\(Self.number($0.0)),\(Self.number($0.1))" }.joined(separator: " ")
        body += "<polyline points=\"\(list)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\" stroke-linejoin=\"round\""
            + (dash.isEmpty ? "" : " stroke-dasharray=\"\(dash)\"") + "/>"
    }

    /// Circle, square or triangle, by series index, so that series differ without colour.
    mutating func marker(at point: (Double, Double), shape: Int, colour: String) {
        let (x, y) = point
        switch shape % 3 {
        case 0: body += "<circle cx=\"\(Self.number(x))\" cy=\"\(Self.number(y))\" r=\"4.5\" fill=\"\(colour)\"/>"
        case 1: body += "<rect x=\"\(Self.number(x - 4))\" y=\"\(Self.number(y - 4))\" width=\"8\" height=\"8\" fill=\"\(colour)\"/>"
        default: body += "<polygon points=\"\(Self.number(x)),\(Self.number(y - 5)) \(Self.number(x + 5)),\(Self.number(y + 4)) \(Self.number(x - 5)),\(Self.number(y + 4))\" fill=\"\(colour)\"/>"
        }
    }

    mutating func rect(x: Double, y: Double, width: Double, height: Double, fill: String, tooltip: String?) {
        body += "<rect x=\"\(Self.number(x))\" y=\"\(Self.number(y))\" width=\"\(Self.number(width))\" height=\"\(Self.number(height))\" fill=\"\(fill)\">"
            + (tooltip.map { "<title>\(Formatting.escapeHTML($0))</title>" } ?? "") + "</rect>"
    }

    mutating func yAxis(_ scale: Scale, left: Double, right: Double, label: String) {
        for tick in scale.ticks {
            let y = scale.position(tick)
            line(from: (left, y), to: (right, y), colour: "currentColor", dash: "", width: 0.3)
            text(SVGChart.tickLabel(tick), at: (left - 6, y + 4), anchor: "end")
        }
        text(label, at: (14, (scale.from + scale.to) / 2), anchor: "middle", rotate: true)
    }

    func finish() -> String {
        let escapedTitle = Formatting.escapeHTML(title)
        return """
            <svg xmlns="http://www.w3.org/2000/svg" class="lectern-chart" viewBox="0 0 \(Int(SVGChart.width)) \(Int(SVGChart.height))" \
            role="img" aria-label="\(escapedTitle)" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="12">\
            <title>\(escapedTitle)</title>\
            <style>.lectern-chart { color: #1f2328; } .lectern-chart text:not([fill]) { fill: currentColor; } \
            @media (prefers-color-scheme: dark) { .lectern-chart { color: #e6edf3; } }</style>\
            <text x="\(Int(SVGChart.left))" y="18" font-weight="600" font-size="13">\(escapedTitle)</text>\
            \(body)</svg>
            """
    }
}
