import Deflate
import Foundation
import Testing
import TestSupport
@testable import WatchModel

/// Outage intervals of a site, from its path probes, as a planner or a support team reads them.
@Suite(.ownThread) struct OutageTests {
    @Test(arguments: Backend.allCases) func aFiveMinuteLineCutAndTenSilentMinutes(backend: Backend) throws {
        let collector = try CollectorProcess(backend: backend)
        defer { collector.stop() }
        let credentials = try collector.enrolledAgent(site: "QNG-OUT", name: "Xã Mất Mạng")
        let start = (WallClock.nowMs() - 3 * 3_600_000) / 60_000 * 60_000
        // Minutes 0–29 and 40–44 measured; the line fails in minutes 10–14; 4G never does.
        let minutes = Array(0..<30) + Array(40..<45)
        let line = minutes.map { WirePoint(timestamp: start + TimestampMs($0) * 60_000 + 1_000, value: (10..<15).contains($0) ? 0 : 1) }
        let backup = minutes.map { WirePoint(timestamp: start + TimestampMs($0) * 60_000 + 2_000, value: 1) }
        let batch = WireBatch(id: Array(repeating: 9, count: 16), agentTime: WallClock.nowMs(), clockSynced: true, path: "dedicated", site: "",
                              catalog: 5, definitions: [
                                  SeriesDefinition(id: 1, key: SeriesKey("probe_success", ["probe": "district node", "path": "dedicated"])),
                                  SeriesDefinition(id: 2, key: SeriesKey("probe_success", ["probe": "district node (4g)", "path": "4g"])),
                              ], series: [WireSeries(id: 1, points: line), WireSeries(id: 2, points: backup)])
        let stored = try collector.request("POST", "/api/v1/ingest", token: credentials, body: Deflate.compress(batch.encoded()),
                                           headers: ["Content-Encoding: deflate"])
        #expect(stored.status == 200, "\(stored.body)")
        let reply = try collector.request("GET", "/api/v1/outages?site=QNG-OUT&from=\(start)&to=\(start + 3_600_000)")
        let outages = reply.json["outages"] as? [[String: Any]] ?? []
        #expect(outages.count == 1, "\(reply.body)")
        #expect(outages.first?["path"] as? String == "dedicated" && outages.first?["minutes"] as? Int == 5
                && outages.first?["start"] as? Int64 == start + 10 * 60_000, "\(reply.body)")
        let silent = reply.json["no_data"] as? [[String: Any]] ?? []
        #expect(silent.count == 1 && silent.first?["minutes"] as? Int == 10 && silent.first?["start"] as? Int64 == start + 30 * 60_000, "\(reply.body)")
        #expect(try collector.request("GET", "/api/v1/outages").status == 400)
    }
}
