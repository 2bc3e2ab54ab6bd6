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
    }
}

extension Double {
    func rounded(toPlaces places: Int) -> Double {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        return (self * scale).rounded() / scale
    }
}
