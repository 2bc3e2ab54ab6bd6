import WatchModel

/// One bucket of a series at a coarser resolution: count, sum (so means combine), min, max, and
/// the 95th percentile of the raw samples in it.
public struct Rollup: Sendable, Hashable {
    public static let fiveMinutes: Int64 = 300_000
    public static let hour: Int64 = 3_600_000
    public static let resolutions = [fiveMinutes, hour]

    public var start: TimestampMs
    public var count: Int
    public var sum: Double
    public var min: Double
    public var max: Double
    public var p95: Double

    public var mean: Double { sum / Double(Swift.max(count, 1)) }

    public init(start: TimestampMs, count: Int, sum: Double, min: Double, max: Double, p95: Double) {
        self.start = start
        self.count = count
        self.sum = sum
        self.min = min
        self.max = max
        self.p95 = p95
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
            values.append(p.value)
        }
        close()
        return out
    }
}
