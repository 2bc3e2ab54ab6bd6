import Deflate
import Foundation
import Testing
import TestSupport
@testable import WatchModel

/// The real agent against the real collector: enroll, upload, query; one site's agent cannot
/// write another's series; a revoked agent is refused.
@Suite(.ownThread) struct CollectorEndToEndTests {
    @Test(arguments: Backend.allCases) func anEnrolledAgentsDataIsQueryableAndStaysItsOwn(backend: Backend) throws {
        let collector = try CollectorProcess(backend: backend)
        defer { collector.stop() }
        let https = try HTTPSPeer.shared.get()
        let dir = scratchDirectory("e2e")

        // Enroll the office PC of Tịnh Khê with a one-time token.
        let token = try collector.enrollmentToken(site: "QNG-TINHKHE", name: "Xã Tịnh Khê")
        let enrolled = try run(try agentBinary(), ["enroll", "--collector", collector.url, "--token", token, "--credentials", dir + "/credentials.json"])
        #expect(enrolled.status == 0, "\(enrolled.stderr)")
        let again = try run(try agentBinary(), ["enroll", "--collector", collector.url, "--token", token, "--credentials", dir + "/other.json"])
        #expect(again.status != 0, "a one-time token enrolls one agent")

        let config = """
            [agent]
            site = "QNG-TINHKHE"
            [collector]
            credentials = "\(dir)/credentials.json"
            flush_interval = "0s"
            [defaults]
            interval = "1s"
            timeout = "500ms"
            [[probe]]
            name = "office server"
            kind = "tcp"
            target = "127.0.0.1:\(https.http)"
            [[probe]]
            name = "closed door"
            kind = "tcp"
            target = "127.0.0.1:1"
            path = "dedicated"
            """
        let agent = try launchAgent(config: config, in: dir)
        defer { if agent.isRunning { agent.terminate() } }
        var points: [[Any]] = []
        let deadline = Date().addingTimeInterval(30)
        while points.count < 3 && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.5)
            let reply = try collector.request("GET", "/api/v1/query_range?metric=probe_success&site=QNG-TINHKHE&probe=office%20server&from=-600")
            points = ((reply.json["series"] as? [[String: Any]])?.first?["points"] as? [[Any]]) ?? []
        }
        kill(agent.processIdentifier, SIGTERM)
        #expect(points.count >= 3, "the agent's probe results are queryable at the collector")
        #expect(points.allSatisfy { ($0.last as? Double) == 1 }, "the office server answers: \(points)")
        // What a planner reads: the day's hourly rollups merged into one row.
        let day = try collector.request("GET", "/api/v1/query_range?metric=probe_success&site=QNG-TINHKHE&probe=office%20server&from=-86400&res=1h&step=86400000")
        let rows = (day.json["series"] as? [[String: Any]])?.first?["rollups"] as? [[String: Any]] ?? []
        #expect(rows.count == 1 && (rows.first?["count"] as? Int ?? 0) >= points.count && rows.first?["p95"] as? Double == 1, "\(day.body)")
        let tooFine = try collector.request("GET", "/api/v1/query_range?metric=probe_success&res=1h&step=60000")
        #expect(tooFine.status == 400 && tooFine.body.contains("at least the resolution"), "\(tooFine.body)")
        let latest = try collector.request("GET", "/api/v1/latest?metric=probe_success&site=QNG-TINHKHE")
        let probes = Set(((latest.json["series"] as? [[String: Any]]) ?? []).compactMap { ($0["labels"] as? [String: String])?["probe"] })
        #expect(probes == ["office server", "closed door"], "\(latest.body)")
        let events = try collector.request("GET", "/api/v1/events?site=QNG-TINHKHE")
        #expect(events.body.contains("closed door: failed"), "the confirmed failure is an event at the collector: \(events.body)")
        // A refused port is an answer: the path to it is up (a failing probe is not a cut line).
        let path = try collector.request("GET", "/api/v1/latest?metric=probe_path_up&site=QNG-TINHKHE&path=dedicated")
        let pathUp = ((path.json["series"] as? [[String: Any]])?.first?["value"] as? Double)
        #expect(pathUp == 1, "the far end refused, so it answered: the path is up: \(path.body)")

        // An existing Prometheus can scrape the province: promtool accepts the exposition.
        let metrics = try collector.request("GET", "/metrics")
        #expect(metrics.body.contains("probe_success{kind=\"tcp\",path=\"default\",probe=\"office server\",site=\"QNG-TINHKHE\""), "\(metrics.body.prefix(600))")
        #expect(metrics.body.contains("communewatch_ingest_batches_total "))
        try metrics.body.write(toFile: dir + "/metrics.txt", atomically: true, encoding: .utf8)
        let promtool = try run("/bin/sh", ["-c", "promtool check metrics < '\(dir)/metrics.txt'"])
        #expect(promtool.status == 0, "promtool check metrics: \(promtool.stdout) \(promtool.stderr)")

        // Another commune's agent cannot write into Tịnh Khê's series.
        let otherToken = try collector.enrollmentToken(site: "QNG-TINHAN", name: "Xã Tịnh Ấn")
        let other = try collector.json("POST", "/api/v1/enroll", ["token": otherToken, "hostname": "pc-tinhan"])
        let otherCredentials = "\(other.json["agent_id"] as? String ?? ""):\(other.json["secret"] as? String ?? "")"
        let claim = WireBatch(id: Array(repeating: 7, count: 16), agentTime: WallClock.nowMs(), clockSynced: true, path: "dedicated",
                              site: "QNG-TINHKHE", catalog: 1,
                              definitions: [SeriesDefinition(id: 1, key: SeriesKey("probe_success", ["site": "QNG-TINHKHE", "probe": "office server"]))],
                              series: [WireSeries(id: 1, points: [WirePoint(timestamp: WallClock.nowMs(), value: 0)])])
        let refused = try collector.request("POST", "/api/v1/ingest", token: otherCredentials, body: Deflate.compress(claim.encoded()),
                                            headers: ["Content-Encoding: deflate"])
        #expect(refused.status == 403 && refused.body.contains("QNG-TINHAN"), "\(refused.status) \(refused.body)")
        var sneaky = claim
        sneaky.site = ""
        let relabelled = try collector.request("POST", "/api/v1/ingest", token: otherCredentials, body: Deflate.compress(sneaky.encoded()),
                                               headers: ["Content-Encoding: deflate"])
        #expect(relabelled.status == 200, "\(relabelled.body)")
        let tinhKhe = try collector.request("GET", "/api/v1/query_range?metric=probe_success&site=QNG-TINHKHE&probe=office%20server&from=-600")
        let values = ((tinhKhe.json["series"] as? [[String: Any]])?.first?["points"] as? [[Any]])?.compactMap { $0.last as? Double } ?? []
        #expect(!values.isEmpty && !values.contains(0), "a site label in another agent's batch is overwritten with its own site")

        // A revoked agent is refused.
        let credentials = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/credentials.json"))) as? [String: Any] ?? [:]
        let agentID = credentials["agent_id"] as? String ?? ""
        #expect(try collector.request("POST", "/api/v1/admin/agents/\(agentID)/revoke", token: collector.adminToken).status == 200)
        let afterRevoke = try collector.request("POST", "/api/v1/ingest", token: "\(agentID):\(credentials["secret"] as? String ?? "")",
                                                body: Deflate.compress(sneaky.encoded()), headers: ["Content-Encoding: deflate"])
        #expect(afterRevoke.status == 401, "\(afterRevoke.body)")
    }
}
