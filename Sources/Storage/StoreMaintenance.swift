import WatchModel

/// What the server does to a store every 10 minutes: merge settled chunks, sum up and drop
/// what is past its retention. Safe to run from several collectors sharing one database.
public protocol StoreMaintenance: Sendable {
    /// Merges each series' chunks that ended before `olderThan` into one compressed chunk per UTC day.
    func compact(olderThan: TimestampMs) async throws -> CompactionResult
    /// Deletes what is older than the retention of its resolution (raw data summed up into rollups
    /// first); returns the rows or chunks deleted.
    @discardableResult
    func enforce(_ retention: Retention, now: TimestampMs) async throws -> Int
    /// Lets go of files and connections; the store is not used afterwards.
    func close() async
}

/// Everything the collector needs of its database.
public typealias CollectorStore = MetricStore & AccessStore & IncidentStore & StaffStore & StoreMaintenance

/// What one compaction pass did.
public struct CompactionResult: Sendable, Hashable {
    public var chunksBefore = 0
    public var chunksAfter = 0
    public var samples = 0

    public init(chunksBefore: Int = 0, chunksAfter: Int = 0, samples: Int = 0) {
        self.chunksBefore = chunksBefore
        self.chunksAfter = chunksAfter
        self.samples = samples
    }

    public mutating func add(_ other: CompactionResult) {
        chunksBefore += other.chunksBefore
        chunksAfter += other.chunksAfter
        samples += other.samples
    }
}

/// How long each resolution is kept (the defaults: raw 30 days, 5-minute 1 year, 1-hour 5 years).
public struct Retention: Sendable, Hashable {
    public var rawDays = 30
    public var fiveMinuteDays = 365
    public var hourDays = 5 * 365
    public var eventDays = 365

    public init() {}

    static let day: TimestampMs = 86_400_000

    public func rawCutoff(now: TimestampMs) -> TimestampMs { now - TimestampMs(rawDays) * Self.day }
    public func eventCutoff(now: TimestampMs) -> TimestampMs { now - TimestampMs(eventDays) * Self.day }

    /// The oldest bucket start kept at `resolution`.
    public func rollupCutoff(_ resolution: Int64, now: TimestampMs) -> TimestampMs {
        now - TimestampMs(resolution == Rollup.fiveMinutes ? fiveMinuteDays : hourDays) * Self.day
    }
}

extension Rollup {
    /// Rollups of expiring raw points merged into what is stored already (a late upload may have
    /// left part of a bucket to a later pass): one list per resolution, keyed by bucket start.
    public static func mergedForStorage(_ points: [WirePoint], resolution: Int64, stored: [TimestampMs: Rollup]) -> [Rollup] {
        buckets(points, resolution: resolution).map { bucket in
            guard var old = stored[bucket.start] else { return bucket }
            old.merge(bucket)
            return old
        }
    }
}
