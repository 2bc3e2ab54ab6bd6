import WatchModel

/// One bucket of a series at a coarser resolution: count, sum (so means combine), min, max, the
/// 95th percentile of the raw samples in it, and a sketch of them so buckets merge into longer spans.
public struct Rollup: Sendable, Hashable {
    public static let fiveMinutes: Int64 = 300_000
    public static let hour: Int64 = 3_600_000
    public static let resolutions = [fiveMinutes, hour]

    public var start: TimestampMs
    public var count: Int
    public var sum: Double
    public var min: Double
    public var max: Double
    /// Exact while the raw samples exist; from the sketch (within 1%) for stored and merged buckets.
    public var p95: Double
    public var sketch: QuantileSketch

    public var mean: Double { sum / Double(Swift.max(count, 1)) }

    public init(start: TimestampMs, count: Int, sum: Double, min: Double, max: Double, p95: Double, sketch: QuantileSketch = QuantileSketch()) {
        self.start = start
        self.count = count
        self.sum = sum
        self.min = min
        self.max = max
        self.p95 = p95
        self.sketch = sketch
    }

    /// This bucket and `other` as one (the p95 then comes from the merged sketch).
    public mutating func merge(_ other: Rollup) {
        count += other.count
        sum += other.sum
        min = Swift.min(min, other.min)
        max = Swift.max(max, other.max)
        sketch.merge(other.sketch)
        // A bin's middle may lie outside what was seen (all ones read 0.99): keep it within min…max.
        p95 = Swift.min(Swift.max(sketch.quantile(0.95) ?? p95, min), max)
    }

    /// Buckets of `resolution` ms over time-ordered points; aggregates (a thinned spool's) weigh as many samples as they stand for.
    public static func buckets(_ points: [WirePoint], resolution: Int64) -> [Rollup] {
        var out: [Rollup] = []
        var values: [Double] = []
        func close() {
            guard !values.isEmpty, !out.isEmpty else { return }
            values.sort()
            // Nearest-rank 95th percentile.
            out[out.count - 1].p95 = values[Swift.min(values.count - 1, Int((0.95 * Double(values.count)).rounded(.up)) - 1)]
            values.removeAll(keepingCapacity: true)
        }
        for p in points {
            let start = p.timestamp / resolution * resolution
            let weight = p.aggregate?.count ?? 1
            if out.last?.start != start {
                close()
                out.append(Rollup(start: start, count: 0, sum: 0, min: .infinity, max: -.infinity, p95: 0))
            }
            out[out.count - 1].count += weight
            out[out.count - 1].sum += p.value * Double(weight)
            out[out.count - 1].min = Swift.min(out[out.count - 1].min, p.aggregate?.min ?? p.value)
            out[out.count - 1].max = Swift.max(out[out.count - 1].max, p.aggregate?.max ?? p.value)
            out[out.count - 1].sketch.add(p.value)
            values.append(p.value)
        }
        close()
        return out
    }

    /// Time-ordered buckets regrouped into spans of `step` ms counted from `from`: a day's or a
    /// week's count, mean, min, max and p95 out of 5-minute or hourly rollups.
    public static func regroup(_ rollups: [Rollup], from: TimestampMs, step: Int64) -> [Rollup] {
        var out: [Rollup] = []
        for r in rollups {
            let offset = r.start - from
            // Floor division: the first rollup may start before `from`.
            let start = from + (offset >= 0 ? offset / step : -((step - 1 - offset) / step)) * step
            if out.last?.start == start {
                out[out.count - 1].merge(r)
            } else {
                var first = r
                first.start = start
                out.append(first)
            }
        }
        return out
    }
}

extension Rollup {
    /// What a rollup query answers: buckets computed from raw points where they still exist,
    /// stored buckets (from raw data past its retention) for the rest, in time order.
    public static func answer(computed: [Rollup], stored: [Rollup]) -> [Rollup] {
        let fromRaw = Set(computed.map(\.start))
        return (stored.filter { !fromRaw.contains($0.start) } + computed).sorted { $0.start < $1.start }
    }
}
