import Storage
import WatchModel

/// A site's paths minute by minute, from results that say up (1) or down (0): a minute in which
/// every result of a path failed is a minute of outage on that path; a minute with no result at
/// all is "no data" (office dark, agent stopped, or backlog not yet delivered), neither up nor down.
/// The outage API and the planner report both read outages from here.
public struct LineTimeline: Sendable {
    public static let minute: TimestampMs = 60_000

    /// What the results of one path said in one minute.
    public struct MinuteState: Sendable, Hashable {
        public var up = false
        public var down = false
        /// Every result of the minute failed.
        public var isOutage: Bool { down && !up }
    }

    /// A run of consecutive outage minutes on one path, [start, end).
    public struct Outage: Sendable, Hashable {
        public var path: String
        public var start: TimestampMs
        public var end: TimestampMs
        public var minutes: Int { Int((end - start) / LineTimeline.minute) }
    }

    /// path → minute start → state.
    public private(set) var paths: [String: [TimestampMs: MinuteState]] = [:]
    /// Minutes in which any path measured anything.
    public private(set) var measured = Set<TimestampMs>()

    public init() {}

    /// Adds one series' results on `path` (value ≥ 1 is up, anything else down).
    public mutating func add(path: String, points: [WirePoint]) {
        for p in points {
            let minute = p.timestamp / Self.minute * Self.minute
            var state = paths[path, default: [:]][minute] ?? MinuteState()
            if p.value >= 1 { state.up = true } else { state.down = true }
            paths[path, default: [:]][minute] = state
            measured.insert(minute)
        }
    }

    /// Adds five-minute summaries of a path's up/down results for buckets no raw result of that
    /// path covers (raw points past their retention): the bucket's mean is its up share, so
    /// `round((1 - mean) × 5)` of its minutes are down. Where in the bucket is not known: the down
    /// minutes are put first.
    public mutating func add(path: String, summaries: [Rollup], resolution: Int64 = Rollup.fiveMinutes) {
        let perBucket = Int(resolution / Self.minute)
        for r in summaries where r.count > 0 {
            let start = r.start / resolution * resolution
            let minutes = (0..<perBucket).map { start + TimestampMs($0) * Self.minute }
            guard !minutes.contains(where: { paths[path]?[$0] != nil }) else { continue }
            let down = Int(((1 - r.mean) * Double(perBucket)).rounded())
            for (i, m) in minutes.enumerated() {
                paths[path, default: [:]][m] = i < down ? MinuteState(up: false, down: true) : MinuteState(up: true, down: false)
                measured.insert(m)
            }
        }
    }

    /// Whether any result of `path` was seen.
    public func has(_ path: String) -> Bool { !(paths[path]?.isEmpty ?? true) }

    /// Minutes of `path` with at least one result.
    public func measuredMinutes(_ path: String) -> Int { paths[path]?.count ?? 0 }

    /// Minutes of `path` in which every result failed, in time order.
    public func outageMinutes(_ path: String) -> [TimestampMs] {
        (paths[path] ?? [:]).filter { $0.value.isOutage }.keys.sorted()
    }

    /// Minutes in which `path` had an outage while `other` had at least one success (e.g. the
    /// office working over 4G while its dedicated line is cut).
    public func minutes(_ path: String, downWhileUp other: String) -> Int {
        guard let mine = paths[path], let theirs = paths[other] else { return 0 }
        return mine.filter { $0.value.isOutage && theirs[$0.key]?.up == true }.count
    }

    /// Every outage of every path, by path then start.
    public var outages: [Outage] {
        paths.keys.sorted().flatMap { path in
            Self.runs(outageMinutes(path)).map { Outage(path: path, start: $0.start, end: $0.end) }
        }
    }

    /// The outages of one path, in time order.
    public func outages(_ path: String) -> [Outage] {
        Self.runs(outageMinutes(path)).map { Outage(path: path, start: $0.start, end: $0.end) }
    }

    /// Silences longer than `longerThan` between the first and the last measured minute, [start, end).
    public func silences(longerThan: TimestampMs = 5 * minute) -> [(start: TimestampMs, end: TimestampMs)] {
        let sorted = measured.sorted()
        return zip(sorted, sorted.dropFirst()).filter { $1 - $0 > longerThan }.map { ($0 + Self.minute, $1) }
    }

    /// Consecutive minutes as [start, end) runs.
    public static func runs(_ minutes: [TimestampMs]) -> [(start: TimestampMs, end: TimestampMs)] {
        var out: [(start: TimestampMs, end: TimestampMs)] = []
        for m in minutes {
            if let last = out.last, last.end == m { out[out.count - 1].end = m + minute } else { out.append((m, m + minute)) }
        }
        return out
    }
}
