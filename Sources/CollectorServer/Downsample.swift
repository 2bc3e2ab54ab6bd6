import WatchModel

/// Range queries with a step: points grouped into buckets and reduced, as a graph needs them.
enum Downsample {
    enum Aggregation: String, CaseIterable {
        case mean, min, max, last, count, sum
    }

    /// One (bucket start, value) per non-empty bucket of `step` ms from `from`.
    static func buckets(_ points: [WirePoint], from: TimestampMs, to: TimestampMs, step: Int64,
                        _ aggregation: Aggregation) -> [(TimestampMs, Double)] {
        var grouped: [TimestampMs: [WirePoint]] = [:]
        for p in points where p.timestamp >= from && p.timestamp <= to {
            grouped[from + (p.timestamp - from) / step * step, default: []].append(p)
        }
        return grouped.keys.sorted().map { start in
            let group = grouped[start]!
            // Aggregates (a thinned spool's) count for as many samples as they replace.
            let weights = group.map { Double($0.aggregate?.count ?? 1) }
            let value: Double = switch aggregation {
            case .mean: zip(group, weights).reduce(0) { $0 + $1.0.value * $1.1 } / weights.reduce(0, +)
            case .min: group.map { $0.aggregate?.min ?? $0.value }.min()!
            case .max: group.map { $0.aggregate?.max ?? $0.value }.max()!
            case .last: group.max { $0.timestamp < $1.timestamp }!.value
            case .count: weights.reduce(0, +)
            case .sum: zip(group, weights).reduce(0) { $0 + $1.0.value * $1.1 }
            }
            return (start, value)
        }
    }
}
