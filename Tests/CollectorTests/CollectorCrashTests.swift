import Deflate
import Foundation
import Testing
import TestSupport
@testable import WatchModel

/// `kill -9` of the collector in the middle of a heavy ingest: after the restart, every batch it
/// acknowledged is there, exactly once, and sending it again stores nothing.
@Suite(.ownThread) struct CollectorCrashTests {
    @Test(arguments: Backend.allCases) func killNineDuringIngestKeepsEveryAcknowledgedBatchOnce(backend: Backend) throws {
        // One agent sends as fast as it can here: its rate limit is lifted (this test is about durability).
        let unlimited = ["--agent-requests-per-second", "100000"]
        let first = try CollectorProcess(backend: backend, options: unlimited)
        let credentials = try first.enrolledAgent(site: "QNG-CRASH", name: "Xã Thử Lửa")
        // 240 batches of 20 series × 25 points; series are named by batch, so each batch's presence can be counted.
        let start = WallClock.nowMs() - 3_600_000
        let bodies: [[UInt8]] = (0..<240).map { n in
            var definitions: [SeriesDefinition] = [], series: [WireSeries] = []
            for s in 0..<20 {
                let id = Int64(n * 20 + s + 1)
                definitions.append(SeriesDefinition(id: id, key: SeriesKey("probe_icmp_rtt_median_seconds", ["batch": "\(n)", "probe": "p\(s)"])))
                var points: [WirePoint] = []
                for k in 0..<25 {
                    let value = Double(n * 1000 + s * 25 + k) / 1e6
                    points.append(WirePoint(timestamp: start + TimestampMs(k) * 10_000, value: value))
                }
                series.append(WireSeries(id: id, points: points))
            }
            var id = [UInt8](repeating: 0, count: 16)
            id[0] = UInt8(n & 0xFF); id[1] = UInt8(n >> 8); id[15] = 0xC7
            return Deflate.compress(WireBatch(id: id, agentTime: WallClock.nowMs(), clockSynced: true, path: "dedicated", site: "",
                                              catalog: 42, definitions: definitions, series: series).encoded())
        }
        let acknowledged = NSLock()
        nonisolated(unsafe) var acked = Set<Int>()
        let group = DispatchGroup()
        for lane in 0..<4 {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                for n in stride(from: lane, to: bodies.count, by: 4) {
                    guard let reply = try? first.request("POST", "/api/v1/ingest", token: credentials, body: bodies[n],
                                                         headers: ["Content-Encoding: deflate"]), reply.status == 200 else { return }
                    acknowledged.lock(); acked.insert(n); acknowledged.unlock()
                }
            }
        }
        Thread.sleep(forTimeInterval: Double.random(in: 1.0...2.0))
        kill(first.process.processIdentifier, SIGKILL)
        first.process.waitUntilExit()
        _ = group.wait(timeout: .now() + 60)
        acknowledged.lock(); let ackedBeforeKill = acked; acknowledged.unlock()
        #expect(ackedBeforeKill.count >= 10, "the kill came before any real ingest: \(ackedBeforeKill.count) acknowledged")
        #expect(ackedBeforeKill.count < bodies.count, "the kill came after the whole ingest")

        let restarted = try CollectorProcess(data: first.data, database: first.database, options: unlimited)
        defer { restarted.stop() }
        for n in ackedBeforeKill.sorted() {
            let reply = try restarted.request("GET", "/api/v1/query_range?metric=probe_icmp_rtt_median_seconds&site=QNG-CRASH&batch=\(n)&from=\(start)&to=\(start + 3_600_000)")
            let series = reply.json["series"] as? [[String: Any]] ?? []
            let points = series.reduce(0) { $0 + (($1["points"] as? [Any])?.count ?? 0) }
            #expect(series.count == 20 && points == 500, "acknowledged batch \(n): \(series.count) series, \(points) points after the restart")
        }
        // The agent, not knowing which replies were lost, sends everything again: nothing is stored twice.
        var storedAgain = 0
        for (n, body) in bodies.enumerated() {
            let reply = try restarted.request("POST", "/api/v1/ingest", token: credentials, body: body, headers: ["Content-Encoding: deflate"])
            #expect(reply.status == 200, "batch \(n) after the restart: \(reply.status) \(reply.body)")
            if ackedBeforeKill.contains(n) { #expect(reply.json["stored"] as? Int == 0, "batch \(n) was stored twice") }
            storedAgain += reply.json["stored"] as? Int ?? 0
        }
        let total = try restarted.request("GET", "/api/v1/query_range?metric=probe_icmp_rtt_median_seconds&site=QNG-CRASH&from=\(start)&to=\(start + 3_600_000)")
        let points = (total.json["series"] as? [[String: Any]] ?? []).reduce(0) { $0 + (($1["points"] as? [Any])?.count ?? 0) }
        #expect(points == bodies.count * 500, "every batch exactly once in the end: \(points) points")
        print("collector kill -9: \(ackedBeforeKill.count) of \(bodies.count) batches acknowledged before the kill, all present once after the restart; \(storedAgain / 500) stored on resend")
    }
}
