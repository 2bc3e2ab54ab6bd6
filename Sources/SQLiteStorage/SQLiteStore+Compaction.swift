import Deflate
import Foundation
import GRDB
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
