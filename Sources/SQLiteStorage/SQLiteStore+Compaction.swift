import Deflate
import Foundation
import GRDB
import Storage
import WatchModel

extension SQLiteStore {
    /// What one compaction pass did.
    public struct CompactionResult: Sendable, Hashable {
        public var chunksBefore = 0
        public var chunksAfter = 0
        public var samples = 0
    }

    /// Merges each series' chunks that ended before `olderThan` into one deflated chunk per UTC
    /// day. Uploads arrive as many small chunks (one per series per batch); a day in one block
    /// compresses far better and reads in one row. One transaction per series-day: a crash
    /// leaves either the old chunks or the new one, never both.
    public func compact(olderThan: TimestampMs) async throws -> CompactionResult {
        let groups = try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT series, start_ms / 86400000 AS day FROM chunks WHERE end_ms < ?
                GROUP BY series, day HAVING count(*) > 1 OR min(codec) = 0
                """, arguments: [olderThan]).map { (series: $0[0] as Int64, day: $0[1] as Int64) }
        }
        var result = CompactionResult()
        for group in groups {
            let done = try await pool.write { db -> CompactionResult in
                let dayStart = group.day * 86_400_000
                let rows = try Row.fetchAll(db, sql: """
                    SELECT rowid, data, codec FROM chunks
                    WHERE series = ? AND start_ms >= ? AND start_ms < ? AND end_ms < ?
                    """, arguments: [group.series, dayStart, dayStart + 86_400_000, olderThan])
                guard !rows.isEmpty else { return CompactionResult() }
                var points: [WirePoint] = []
                for row in rows { points += try Self.chunkPoints(row[1], codec: row[2]) }
                points.sort { $0.timestamp < $1.timestamp }
                try db.execute(sql: "DELETE FROM chunks WHERE rowid IN (\(rows.map { "\($0[0] as Int64)" }.joined(separator: ",")))")
                try db.execute(sql: "INSERT INTO chunks (series, start_ms, end_ms, count, data, codec) VALUES (?, ?, ?, ?, ?, 1)",
                               arguments: [group.series, points.first!.timestamp, points.last!.timestamp, points.count,
                                           Data(Deflate.compress(PointBlock.encode(points)))])
                return CompactionResult(chunksBefore: rows.count, chunksAfter: 1, samples: points.count)
            }
            result.chunksBefore += done.chunksBefore
            result.chunksAfter += done.chunksAfter
            result.samples += done.samples
        }
        return result
    }
}

extension SQLiteStore {
    /// How long each resolution is kept (the issue's defaults: raw 30 days, 5-minute 1 year, 1-hour 5 years).
    public struct Retention: Sendable, Hashable {
        public var rawDays = 30
        public var fiveMinuteDays = 365
        public var hourDays = 5 * 365
        public var eventDays = 365

        public init() {}
    }

    /// Deletes what is older than the retention of its resolution; returns the rows deleted.
    /// Raw data about to go is first summed up into 5-minute and 1-hour rollups: while raw data
    /// exists, rollups are computed from it when asked, so they cost no disk for the first month.
    @discardableResult
    public func enforce(_ retention: Retention, now: TimestampMs) async throws -> Int {
        let day: TimestampMs = 86_400_000
        let rawCutoff = now - TimestampMs(retention.rawDays) * day
        let expiring = try await pool.read { db in
            try Int64.fetchAll(db, sql: "SELECT DISTINCT series FROM chunks WHERE end_ms < ?", arguments: [rawCutoff])
        }
        var deleted = 0
        for series in expiring {
            deleted += try await pool.write { db in
                let rows = try Row.fetchAll(db, sql: "SELECT data, codec FROM chunks WHERE series = ? AND end_ms < ?", arguments: [series, rawCutoff])
                var points: [WirePoint] = []
                for row in rows { points += try Self.chunkPoints(row[0], codec: row[1]) }
                points.sort { $0.timestamp < $1.timestamp }
                for resolution in Rollup.resolutions {
                    for bucket in Rollup.buckets(points, resolution: resolution) {
                        try db.execute(sql: """
                            INSERT OR REPLACE INTO rollups (series, resolution, start_ms, count, sum, min, max, p95) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                            """, arguments: [series, resolution, bucket.start, bucket.count, bucket.sum, bucket.min, bucket.max, bucket.p95])
                    }
                }
                try db.execute(sql: "DELETE FROM chunks WHERE series = ? AND end_ms < ?", arguments: [series, rawCutoff])
                return db.changesCount
            }
        }
        let rawDeleted = deleted
        return try await pool.write { db in
            try db.execute(sql: "DELETE FROM rollups WHERE resolution = ? AND start_ms < ?",
                           arguments: [Rollup.fiveMinutes, now - TimestampMs(retention.fiveMinuteDays) * day])
            var more = db.changesCount
            try db.execute(sql: "DELETE FROM rollups WHERE resolution = ? AND start_ms < ?",
                           arguments: [Rollup.hour, now - TimestampMs(retention.hourDays) * day])
            more += db.changesCount
            try db.execute(sql: "DELETE FROM events WHERE ts < ?", arguments: [now - TimestampMs(retention.eventDays) * day])
            return rawDeleted + more + db.changesCount
        }
    }

    /// The rollups of one series at `resolution` in [from, to]: computed from the raw points where
    /// they still exist, read from the stored rollups for older buckets.
    public func rollups(_ key: SeriesKey, resolution: Int64, from: TimestampMs, to: TimestampMs) async throws -> [Rollup] {
        try await pool.read { db in
            guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM series WHERE metric = ? AND labels = ?",
                                              arguments: [key.metric, LabelText.encode(key.labels)]) else { return [] }
            let start = from / resolution * resolution
            let computed = Rollup.buckets(try Self.points(series: id, from: start, to: to, in: db), resolution: resolution)
            let fromRaw = Set(computed.map(\.start))
            let stored = try Row.fetchAll(db, sql: """
                SELECT start_ms, count, sum, min, max, p95 FROM rollups
                WHERE series = ? AND resolution = ? AND start_ms >= ? AND start_ms <= ? ORDER BY start_ms
                """, arguments: [id, resolution, start, to]).map {
                Rollup(start: $0[0], count: $0[1], sum: $0[2], min: $0[3], max: $0[4], p95: $0[5])
            }.filter { !fromRaw.contains($0.start) }
            return (stored + computed).sorted { $0.start < $1.start }
        }
    }
}

