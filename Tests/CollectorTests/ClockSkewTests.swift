import Deflate
import Foundation
import Testing
import TestSupport
@testable import WatchModel

/// An office PC whose clock is two minutes slow and not NTP-synchronised: its samples are stored
/// at the true time, and the site's events say so once.
@Suite(.ownThread) struct ClockSkewTests {
    @Test(arguments: Backend.allCases) func aSlowUnsynchronisedClockIsCorrectedAndFlagged(backend: Backend) throws {
        let collector = try CollectorProcess(backend: backend)
        defer { collector.stop() }
        let credentials = try collector.enrolledAgent(site: "QNG-CLOCK", name: "Xã Đồng Hồ")
        func upload(_ n: UInt8, synced: Bool?) throws -> (status: Int, body: String, json: [String: Any]) {
            let agentNow = WallClock.nowMs() - 120_000
            let batch = WireBatch(id: Array(repeating: n, count: 16), agentTime: agentNow, clockSynced: synced, path: "dedicated", site: "",
                                  catalog: 8, definitions: [SeriesDefinition(id: 1, key: SeriesKey("probe_success", ["probe": "gateway"]))],
                                  series: [WireSeries(id: 1, points: [WirePoint(timestamp: agentNow - 1_000, value: 1)])])
            return try collector.request("POST", "/api/v1/ingest", token: credentials, body: Deflate.compress(batch.encoded()),
                                         headers: ["Content-Encoding: deflate"])
        }
        let first = try upload(1, synced: false)
        let correction = first.json["clock_correction_ms"] as? Int ?? 0
        #expect(first.status == 200 && abs(correction - 120_000) < 5_000, "\(first.body)")
        #expect(try upload(2, synced: false).status == 200)
        let latest = try collector.request("GET", "/api/v1/latest?metric=probe_success&site=QNG-CLOCK")
        let stamped = ((latest.json["series"] as? [[String: Any]])?.first?["timestamp"] as? Int64) ?? 0
        #expect(abs(stamped - WallClock.nowMs()) < 10_000, "stored at the true time, not two minutes early: \(latest.body)")
        let events = try collector.request("GET", "/api/v1/events?site=QNG-CLOCK")
        let flags = (events.json["events"] as? [[String: Any]] ?? []).filter { $0["kind"] as? String == "clock_unsynchronised" }
        #expect(flags.count == 1, "flagged once, not per batch: \(events.body)")
        #expect((flags.first?["text"] as? String)?.contains("not NTP-synchronised") == true)
        // A synchronised clock is trusted as it is (the difference is transit time or the collector's own clock).
        let trusted = try upload(3, synced: true)
        #expect(trusted.json["clock_correction_ms"] as? Int == 0, "\(trusted.body)")
    }
}
