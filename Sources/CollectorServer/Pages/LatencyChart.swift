import Foundation
import Storage
import WatchModel

/// A SmokePing-style chart of one target over the dedicated line: the spread of the rounds as a
/// grey band (fastest to slowest echo), the median as a line coloured by the share of echoes lost.
struct LatencyChart {
    /// One column of the chart (a few minutes to a few hours of rounds).
    struct Column {
        var start: TimestampMs
        var median: Double?
        var low: Double?
        var high: Double?
        var loss: Double?
    }

    var columns: [Column]
    var from: TimestampMs
    var to: TimestampMs

    /// Columns of `step` ms from the rollups of the round's median, fastest, slowest and loss series.
    static func columns(median: [Rollup], low: [Rollup], high: [Rollup], loss: [Rollup], from: TimestampMs, step: Int64) -> [Column] {
        let m = Dictionary(Rollup.regroup(median, from: from, step: step).map { ($0.start, $0) }) { a, _ in a }
        let lo = Dictionary(Rollup.regroup(low, from: from, step: step).map { ($0.start, $0.min) }) { a, _ in a }
        let hi = Dictionary(Rollup.regroup(high, from: from, step: step).map { ($0.start, $0.max) }) { a, _ in a }
        let ls = Dictionary(Rollup.regroup(loss, from: from, step: step).map { ($0.start, $0.mean) }) { a, _ in a }
        let starts = Swift.Set<TimestampMs>(Array(m.keys) + Array(ls.keys)).sorted()
        return starts.map { start in
            var median: Double?
            if let r = m[start] { median = r.sketch.quantile(0.5).map { v in min(max(v, r.min), r.max) } ?? r.mean }
            return Column(start: start, median: median, low: lo[start], high: hi[start], loss: ls[start])
        }
    }

    /// SmokePing's idea of loss colours: green none, then blue, violet, orange, red.
    static func colour(_ loss: Double?) -> String {
        guard let loss else { return "#2a9d5c" }
        switch loss {
        case ..<0.001: return "#2a9d5c"
        case ..<0.02: return "#1f77b4"
        case ..<0.05: return "#7b57b5"
        case ..<0.2: return "#e06a00"
        default: return "#c62828"
        }
    }

    func svg(_ lang: PageLanguage, step: Int64) -> String {
        let width = 720.0, height = 200.0, left = 56.0, right = 6.0, top = 8.0, bottom = 30.0
        let plotW = width - left - right, plotH = height - top - bottom
        // The scale follows the medians (a few slow echoes must not flatten the chart), up to the band.
        let medians = columns.compactMap(\.median).sorted()
        let highs = columns.compactMap(\.high)
        var top95 = medians.isEmpty ? 0.05 : medians[min(medians.count - 1, Int(Double(medians.count) * 0.95))] * 2
        top95 = min(max(top95, 0.01), max(highs.max() ?? top95, 0.01))
        let yMax = Self.nice(top95)
        func x(_ t: TimestampMs) -> Double { left + Double(t - from) / Double(max(to - from, 1)) * plotW }
        func y(_ v: Double) -> Double { top + plotH - min(v, yMax) / yMax * plotH }
        let colW = max(Double(step) / Double(max(to - from, 1)) * plotW, 1)
        var out = "<svg class=\"chart\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(lang.t("Độ trễ và mất gói", "Latency and loss"))\">"
        out += "<rect x=\"\(Int(left))\" y=\"\(Int(top))\" width=\"\(Int(plotW))\" height=\"\(Int(plotH))\" fill=\"#fff\" stroke=\"#d5dae0\"/>"
        for i in 0...4 {
            let v = yMax * Double(i) / 4
            let yy = y(v)
            out += "<line x1=\"\(Int(left))\" x2=\"\(Int(width - right))\" y1=\"\(f(yy))\" y2=\"\(f(yy))\" stroke=\"#eef1f4\"/>"
            out += "<text x=\"\(Int(left - 4))\" y=\"\(f(yy + 4))\" text-anchor=\"end\">\(lang.number(v * 1000, yMax < 0.02 ? 1 : 0))</text>"
        }
        out += "<text x=\"2\" y=\"\(Int(top + 10))\">ms</text>"
        for i in 0...4 {
            let t = from + (to - from) * Int64(i) / 4
            let label = to - from <= 86_400_000 ? lang.clock(t) : lang.time(t).split(separator: " ").first.map(String.init) ?? ""
            out += "<text x=\"\(f(x(t)))\" y=\"\(Int(height - 5))\" text-anchor=\"\(i == 0 ? "start" : i == 4 ? "end" : "middle")\">\(label)</text>"
        }
        for c in columns {
            let cx = x(c.start)
            if let loss = c.loss, loss >= 0.999 {
                // Every echo lost: a pale red column, no latency to show.
                out += "<rect x=\"\(f(cx))\" y=\"\(Int(top))\" width=\"\(f(colW))\" height=\"\(Int(plotH))\" fill=\"#f6c9c9\"><title>\(lang.time(c.start)) 100 %</title></rect>"
                continue
            }
            if let lo = c.low, let hi = c.high, hi >= lo {
                out += "<rect x=\"\(f(cx))\" y=\"\(f(y(hi)))\" width=\"\(f(colW))\" height=\"\(f(max(y(lo) - y(hi), 0.5)))\" fill=\"#c4cbd2\" fill-opacity=\".6\"/>"
            }
            if let m = c.median {
                out += "<rect x=\"\(f(cx))\" y=\"\(f(y(m) - 1))\" width=\"\(f(colW))\" height=\"2\" fill=\"\(Self.colour(c.loss))\"><title>\(lang.time(c.start)): \(lang.ms(m)), \(lang.t("mất", "loss")) \(lang.percent(c.loss))</title></rect>"
            }
        }
        return out + "</svg>"
    }

    /// Legend of the loss colours.
    static func legend(_ lang: PageLanguage) -> String {
        let items: [(String, String)] = [("#2a9d5c", "0 %"), ("#1f77b4", "< 2 %"), ("#7b57b5", "< 5 %"), ("#e06a00", "< 20 %"), ("#c62828", "≥ 20 %"), ("#f6c9c9", "100 %")]
        return "<p class=\"muted\"><small>" + lang.t("Dải xám: nhanh nhất–chậm nhất của mỗi lượt; đường: trung vị, màu theo mất gói: ", "Grey band: fastest–slowest echo of the rounds; line: median, coloured by loss: ")
            + items.map { "<span class=\"dot\" style=\"background:\($0.0)\"></span>\($0.1)" }.joined(separator: " ") + "</small></p>"
    }

    /// A round figure at or above `v` (1, 2, 5 × 10^n).
    static func nice(_ v: Double) -> Double {
        let p = pow(10, floor(log10(v)))
        for m in [1.0, 2, 5, 10] where m * p >= v { return m * p }
        return 10 * p
    }

    private func f(_ v: Double) -> String { String(format: "%.1f", v) }
}
