import Deflate
import Foundation
import Testing
import TestSupport
@testable import WatchModel

/// Every kind of bad upload is answered 4xx with a message naming what was wrong, and the
/// collector stays up and keeps storing good batches.
@Suite(.ownThread) struct IngestRefusalTests {
    func batch(_ id: UInt8, key: SeriesKey = SeriesKey("probe_success", ["probe": "gateway"]),
               points: [WirePoint] = [WirePoint(timestamp: WallClock.nowMs(), value: 1)]) -> WireBatch {
        WireBatch(id: Array(repeating: id, count: 16), agentTime: WallClock.nowMs(), clockSynced: true, path: "dedicated",
                  site: "", catalog: 9, definitions: [SeriesDefinition(id: 1, key: key)], series: [WireSeries(id: 1, points: points)])
    }

    @Test(arguments: Backend.allCases) func badUploadsAreRefusedWithAReasonAndTheCollectorStaysUp(backend: Backend) throws {
        let collector = try CollectorProcess(backend: backend)
        defer { collector.stop() }
        let credentials = try collector.enrolledAgent(site: "QNG-BAD", name: "Phường Thử")
        let deflate = ["Content-Encoding: deflate"]
        func upload(_ body: [UInt8], token: String? = nil, headers: [String] = ["Content-Encoding: deflate"]) throws -> (status: Int, body: String, json: [String: Any]) {
            try collector.request("POST", "/api/v1/ingest", token: token ?? credentials, body: body, headers: headers)
        }
        let now = WallClock.nowMs()
        var invalidUTF8 = batch(3, key: SeriesKey("probe_success", ["probe": "ZZZZ"])).encoded()
        if let at = invalidUTF8.indices.first(where: { Array(invalidUTF8[$0..<min($0 + 4, invalidUTF8.count)]) == Array("ZZZZ".utf8) }) {
            invalidUTF8[at] = 0xFF
        }
        var wrongVersion = batch(4).encoded()
        wrongVersion.replaceSubrange(0..<4, with: Array("CWB9".utf8))
        let manyLabels = SeriesKey("probe_success", Dictionary(uniqueKeysWithValues: (0..<10_000).map { ("l\($0)", "v") }))
        let cases: [(what: String, result: (status: Int, body: String, json: [String: Any]), expected: Int, mentions: String)] = [
            ("no credentials", try collector.request("POST", "/api/v1/ingest", body: Deflate.compress(batch(1).encoded()), headers: deflate), 401, "Authorization"),
            ("a wrong secret", try upload(Deflate.compress(batch(1).encoded()), token: credentials + "x"), 401, "wrong secret"),
            ("a malformed token", try upload(Deflate.compress(batch(1).encoded()), token: "no-colon"), 401, "AGENT_ID:SECRET"),
            ("garbage instead of deflate", try upload(Array("hello, collector".utf8)), 400, "deflate"),
            ("a truncated batch", try upload(Deflate.compress(Array(batch(1).encoded().prefix(30)))), 400, "past the end"),
            ("an oversized body", try upload([UInt8](repeating: 65, count: 17 << 20), headers: []), 413, "larger than"),
            ("a decompression bomb", try upload(Deflate.compress([UInt8](repeating: 0, count: 100 << 20))), 413, "inflates past"),
            ("invalid UTF-8", try upload(Deflate.compress(invalidUTF8)), 400, "UTF-8"),
            ("an unknown wire version", try upload(Deflate.compress(wrongVersion)), 400, "CWB2"),
            ("10,000 labels", try upload(Deflate.compress(batch(5, key: manyLabels).encoded())), 400, "malformed"),
            ("a timestamp far in the future", try upload(Deflate.compress(batch(6, points: [WirePoint(timestamp: now + 400 * 86_400_000, value: 1)]).encoded())), 422, "out of range"),
            ("a timestamp far in the past", try upload(Deflate.compress(batch(7, points: [WirePoint(timestamp: 1000, value: 1)]).encoded())), 422, "out of range"),
            ("NaN", try upload(Deflate.compress(batch(8, points: [WirePoint(timestamp: now, value: .nan)]).encoded())), 422, "finite"),
            ("infinity", try upload(Deflate.compress(batch(9, points: [WirePoint(timestamp: now, value: .infinity)]).encoded())), 422, "finite"),
            ("a bad metric name", try upload(Deflate.compress(batch(10, key: SeriesKey("probe success")).encoded())), 422, "metric name"),
            ("an unknown Content-Encoding", try upload(batch(11).encoded(), headers: ["Content-Encoding: br"]), 415, "br"),
            ("a CW-Batch header that is not the batch's id", try upload(Deflate.compress(batch(12).encoded()), headers: deflate + ["CW-Batch: 00"]), 400, "does not match"),
            ("a series id no batch defined", try upload(Deflate.compress(WireBatch(id: Array(repeating: 13, count: 16), agentTime: now, clockSynced: true,
                path: "dedicated", site: "", catalog: 77, series: [WireSeries(id: 5, points: [WirePoint(timestamp: now, value: 1)])]).encoded())), 409, "unknown series"),
            ("enrollment with a number for a token", try collector.json("POST", "/api/v1/enroll", ["token": 42]), 400, "token"),
            ("enrollment with a body that is not JSON", try collector.request("POST", "/api/v1/enroll", body: Array("{token".utf8)), 400, "JSON"),
            ("a site with a bad kind", try collector.json("POST", "/api/v1/admin/sites", token: collector.adminToken, ["code": "X", "name": "X", "kind": "village"]), 422, "kind"),
            ("the admin API without the admin token", try collector.json("POST", "/api/v1/admin/tokens", token: credentials, ["site": "QNG-BAD"]), 401, "admin"),
        ]
        for c in cases {
            #expect(c.result.status == c.expected, "\(c.what): \(c.result.status) \(c.result.body.prefix(200))")
            #expect((c.result.json["error"] as? String)?.contains(c.mentions) == true, "\(c.what): \(c.result.body.prefix(200))")
        }
        #expect(collector.process.isRunning, "the collector must survive all of it")
        let good = try upload(Deflate.compress(batch(20).encoded()))
        #expect(good.status == 200 && good.json["stored"] as? Int == 1, "\(good.body)")
        let again = try upload(Deflate.compress(batch(20).encoded()))
        #expect(again.status == 200 && again.json["stored"] as? Int == 0, "a retried batch id is stored once: \(again.body)")
        let stored = try collector.request("GET", "/api/v1/query_range?metric=probe_success&site=QNG-BAD&from=-600")
        let points = ((stored.json["series"] as? [[String: Any]])?.first?["points"] as? [[Any]]) ?? []
        #expect(points.count == 1, "\(stored.body)")
    }
}
