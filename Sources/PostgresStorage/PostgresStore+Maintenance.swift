import PostgresNIO
import Storage
import WatchModel

extension PostgresStore: StoreMaintenance {
    /// As the SQLite store does it, one transaction per series-day. The chunks are locked
    /// (`FOR UPDATE`): a second collector compacting at the same moment waits, then finds them
    /// gone and merges nothing twice.
    public func compact(olderThan: TimestampMs) async throws -> CompactionResult {
        let groups = try await all("""
            SELECT series, start_ms / 86400000 AS day FROM chunks WHERE end_ms < \(olderThan)
            GROUP BY series, day HAVING count(*) > 1 OR min(codec) = 0
            """, as: (Int64, Int64).self)
        var result = CompactionResult()
        for (series, day) in groups {
            result.add(try await transaction { c -> CompactionResult in
                let dayStart = day * 86_400_000
                let rows = try await all("""
                    SELECT id, data, codec FROM chunks
                    WHERE series = \(series) AND start_ms >= \(dayStart) AND start_ms < \(dayStart + 86_400_000) AND end_ms < \(olderThan)
                    FOR UPDATE
                    """, as: (Int64, ByteBuffer, Int16).self, on: c)
                guard !rows.isEmpty else { return CompactionResult() }
                var points: [WirePoint] = []
                for row in rows { points += try ChunkCodec.points(Array(row.1.readableBytesView), codec: Int(row.2)) }
                points.sort { $0.timestamp < $1.timestamp }
                try await run("DELETE FROM chunks WHERE id = ANY(\(rows.map(\.0)))", on: c)
                try await run("""
                    INSERT INTO chunks (series, start_ms, end_ms, count, codec, data)
                    VALUES (\(series), \(points.first!.timestamp), \(points.last!.timestamp), \(Int64(points.count)), \(Int16(ChunkCodec.deflated)),
                            \(ByteBuffer(bytes: ChunkCodec.compacted(points))))
                    """, on: c)
                return CompactionResult(chunksBefore: rows.count, chunksAfter: 1, samples: points.count)
            })
        }
        return result
    }

    @discardableResult
    public func enforce(_ retention: Retention, now: TimestampMs) async throws -> Int {
        let rawCutoff = retention.rawCutoff(now: now)
        var deleted = 0
        for series in try await column("SELECT DISTINCT series FROM chunks WHERE end_ms < \(rawCutoff)", as: Int64.self) {
            deleted += try await transaction { c -> Int in
                let rows = try await all("SELECT id, data, codec FROM chunks WHERE series = \(series) AND end_ms < \(rawCutoff) FOR UPDATE",
                                         as: (Int64, ByteBuffer, Int16).self, on: c)
                var points: [WirePoint] = []
                for row in rows { points += try ChunkCodec.points(Array(row.1.readableBytesView), codec: Int(row.2)) }
                points.sort { $0.timestamp < $1.timestamp }
                guard let first = points.first?.timestamp, let last = points.last?.timestamp else { return 0 }
                for resolution in Rollup.resolutions {
                    let stored = try await storedRollups(series: series, resolution: resolution, from: first / resolution * resolution, to: last, on: c)
                    for r in Rollup.mergedForStorage(points, resolution: resolution, stored: Dictionary(stored.map { ($0.start, $0) }) { a, _ in a }) {
                        try await run("""
                            INSERT INTO rollups (series, resolution, start_ms, count, sum, min, max, p95, sketch)
                            VALUES (\(series), \(resolution), \(r.start), \(Int64(r.count)), \(r.sum), \(r.min), \(r.max), \(r.p95),
                                    \(ByteBuffer(bytes: r.sketch.encoded)))
                            ON CONFLICT (series, resolution, start_ms) DO UPDATE SET count = EXCLUDED.count, sum = EXCLUDED.sum,
                                min = EXCLUDED.min, max = EXCLUDED.max, p95 = EXCLUDED.p95, sketch = EXCLUDED.sketch
                            """, on: c)
                    }
                }
                try await run("DELETE FROM chunks WHERE id = ANY(\(rows.map(\.0)))", on: c)
                return rows.count
            }
        }
        for resolution in Rollup.resolutions {
            deleted += try await column("""
                DELETE FROM rollups WHERE resolution = \(resolution) AND start_ms < \(retention.rollupCutoff(resolution, now: now)) RETURNING 1
                """, as: Int32.self).count
        }
        deleted += try await column("DELETE FROM events WHERE ts < \(retention.eventCutoff(now: now)) RETURNING 1", as: Int32.self).count
        return deleted
    }
}
