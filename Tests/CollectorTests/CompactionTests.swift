import Foundation
import SQLiteStorage
import Storage
import Testing
import TestSupport
import WatchModel

/// Compaction merges a day of small upload chunks into one compressed chunk: same points, fewer bytes.
@Suite struct CompactionTests {
    @Test func aDayOfUploadsBecomesOneChunkWithTheSamePoints() async throws {
        let dir = scratchDirectory("compaction")
        let store = try SQLiteStore(path: dir + "/collector.db")
        let key = SeriesKey("probe_icmp_rtt_median_seconds", ["probe": "gateway", "site": "QNG-001"])
        let start: TimestampMs = 1_704_067_200_000
        var generator = SystemRandomNumberGenerator()
        // 144 uploads of 10 minutes each (60 points at 10 s): one day.
        for upload in 0..<144 {
            let points = (0..<60).map { i in
                WirePoint(timestamp: start + TimestampMs(upload * 60 + i) * 10_000,
                          value: (20 + Double(UInt8.random(in: 0...200, using: &generator)) / 100).rounded(toPlaces: 3) / 1000)
            }
            let outcome = try await store.ingest(IngestBatch(agentID: "agt-1", site: "QNG-001", batchID: String(format: "%032x", upload), catalog: 1,
                                                             definitions: upload == 0 ? [SeriesDefinition(id: 1, key: key)] : [],
                                                             series: [WireSeries(id: 1, points: points)], events: []))
            #expect(outcome == .stored(samples: 60))
        }
        let before = try await store.points(key, from: start, to: start + 86_400_000)
        let done = try await store.compact(olderThan: start + 2 * 86_400_000)
        #expect(done.chunksBefore == 144 && done.chunksAfter == 1 && done.samples == 8640)
        let after = try await store.points(key, from: start, to: start + 86_400_000)
        #expect(after == before, "compaction must not change a single point")
        #expect(try await store.latest(metric: key.metric, matching: [:]).first?.point == before.last)
        let again = try await store.compact(olderThan: start + 2 * 86_400_000)
        #expect(again.chunksBefore == 0, "a compacted day is left alone")

        // Rollups of the day, checked against the raw points.
        let fiveMinutes = try await store.rollups(key, resolution: Rollup.fiveMinutes, from: start, to: start + 86_400_000)
        let hours = try await store.rollups(key, resolution: Rollup.hour, from: start, to: start + 86_400_000)
        #expect(fiveMinutes.count == 288 && fiveMinutes.allSatisfy { $0.count == 30 })
        #expect(hours.count == 24 && hours.allSatisfy { $0.count == 360 })
        let firstHour = before.prefix(360).map(\.value).sorted()
        #expect(hours[0].min == firstHour.first && hours[0].max == firstHour.last && hours[0].p95 == firstHour[341])
        #expect(abs(hours[0].mean - firstHour.reduce(0, +) / 360) < 1e-12)

        // Retention: raw data goes after 30 days, 5-minute rollups after a year, hourly ones stay five.
        try await store.enforce(SQLiteStore.Retention(), now: start + 40 * 86_400_000)
        #expect(try await store.points(key, from: start, to: start + 86_400_000).isEmpty)
        #expect(try await store.rollups(key, resolution: Rollup.fiveMinutes, from: start, to: start + 86_400_000).count == 288)
        try await store.enforce(SQLiteStore.Retention(), now: start + 400 * 86_400_000)
        #expect(try await store.rollups(key, resolution: Rollup.fiveMinutes, from: start, to: start + 86_400_000).isEmpty)
        #expect(try await store.rollups(key, resolution: Rollup.hour, from: start, to: start + 86_400_000).count == 24)
    }
}

extension Double {
    func rounded(toPlaces places: Int) -> Double {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        return (self * scale).rounded() / scale
    }
}
