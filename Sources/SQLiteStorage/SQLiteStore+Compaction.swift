import Foundation
import GRDB
import Storage
import WatchModel

extension SQLiteStore: StoreMaintenance {
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
                                           Data(ChunkCodec.compacted(points))])
                return CompactionResult(chunksBefore: rows.count, chunksAfter: 1, samples: points.count)
            }
            result.add(done)
        }
        return result
    }
}

extension SQLiteStore {
    /// Deletes what is older than the retention of its resolution; returns the rows deleted.
    /// Raw data about to go is first summed up into 5-minute and 1-hour rollups: while raw data
    /// exists, rollups are computed from it when asked, so they cost no disk for the first month.
    @discardableResult
    public func enforce(_ retention: Retention, now: TimestampMs) async throws -> Int {
        let rawCutoff = retention.rawCutoff(now: now)
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
                    guard let first = points.first?.timestamp, let last = points.last?.timestamp else { break }
                    let stored = try Self.storedRollups(series: series, resolution: resolution, from: first / resolution * resolution, to: last, in: db)
                    for bucket in Rollup.mergedForStorage(points, resolution: resolution, stored: Dictionary(stored.map { ($0.start, $0) }) { a, _ in a }) {
                        try db.execute(sql: """
                            INSERT OR REPLACE INTO rollups (series, resolution, start_ms, count, sum, min, max, p95, sketch) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                            """, arguments: [series, resolution, bucket.start, bucket.count, bucket.sum, bucket.min, bucket.max, bucket.p95,
                                             Data(bucket.sketch.encoded)])
                    }
                }
                try db.execute(sql: "DELETE FROM chunks WHERE series = ? AND end_ms < ?", arguments: [series, rawCutoff])
                return db.changesCount
            }
        }
        let rawDeleted = deleted
        return try await pool.write { db in
            var more = 0
            for resolution in Rollup.resolutions {
                try db.execute(sql: "DELETE FROM rollups WHERE resolution = ? AND start_ms < ?",
                               arguments: [resolution, retention.rollupCutoff(resolution, now: now)])
                more += db.changesCount
            }
            try db.execute(sql: "DELETE FROM events WHERE ts < ?", arguments: [retention.eventCutoff(now: now)])
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
            return Rollup.answer(computed: computed, stored: try Self.storedRollups(series: id, resolution: resolution, from: start, to: to, in: db))
        }
    }

    static func storedRollups(series: Int64, resolution: Int64, from: TimestampMs, to: TimestampMs, in db: Database) throws -> [Rollup] {
        try Row.fetchAll(db, sql: """
            SELECT start_ms, count, sum, min, max, p95, sketch FROM rollups
            WHERE series = ? AND resolution = ? AND start_ms >= ? AND start_ms <= ? ORDER BY start_ms
            """, arguments: [series, resolution, from, to]).map { row in
            // Rollups stored before sketches existed merge as their p95 alone.
            let sketch = try (row[6] as Data?).map { try QuantileSketch(encoded: [UInt8]($0)) } ?? QuantileSketch([row[5]])
            return Rollup(start: row[0], count: row[1], sum: row[2], min: row[3], max: row[4], p95: row[5], sketch: sketch)
        }
    }

    public func close() async {}
}

