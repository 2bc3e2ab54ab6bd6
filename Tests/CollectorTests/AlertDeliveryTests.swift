import Deflate
import Foundation
import Testing
import TestSupport
@testable import WatchModel

/// The collector's alerting against a receiver of the test's own: evaluated on arrival, sent in
/// Alertmanager's webhook shape, acknowledged, resolved, retried while the receiver is down.
@Suite(.ownThread) struct AlertDeliveryTests {
    func rulesDirectory() throws -> String { try lineDownRules(extra: "") }

    /// One upload of `probe_path_up{path="dedicated"}` = `value`, now.
    func pathUp(_ value: Double, batch n: UInt8) -> [UInt8] {
        var id = [UInt8](repeating: 0, count: 16)
        id[0] = n; id[15] = 0xA1
        let key = SeriesKey("probe_path_up", ["path": "dedicated"])
        return Deflate.compress(WireBatch(id: id, agentTime: WallClock.nowMs(), clockSynced: true, path: "dedicated", site: "", catalog: 3,
                                          definitions: [SeriesDefinition(id: 1, key: key)],
                                          series: [WireSeries(id: 1, points: [WirePoint(timestamp: WallClock.nowMs(), value: value)])]).encoded())
    }

    func waitFor(_ seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        return condition()
    }

    func alerts(_ peer: WebhookPeer, answered: Int = 200) -> [[String: Any]] {
        peer.received().filter { $0.answered == answered }.flatMap { ($0.body["alerts"] as? [[String: Any]]) ?? [] }
    }

    func change(_ alert: [String: Any]) -> String { (alert["annotations"] as? [String: String])?["communewatch_change"] ?? "" }

    @Test func aCutLineIsToldAcknowledgedAndResolved() throws {
        let peer = try WebhookPeer()
        let collector = try CollectorProcess(options: ["--alert-rules", try rulesDirectory(), "--webhook", peer.url])
        defer { collector.stop() }
        let agent = try collector.enrolledAgent(site: "QNG-CUT", name: "Xã Cắt Dây")
        #expect(try collector.request("POST", "/api/v1/ingest", token: agent, body: pathUp(1, batch: 1), headers: ["Content-Encoding: deflate"]).status == 200)
        Thread.sleep(forTimeInterval: 0.5)
        #expect(alerts(peer).isEmpty, "a line that is up pages no one")

        let cut = Date()
        #expect(try collector.request("POST", "/api/v1/ingest", token: agent, body: pathUp(0, batch: 2), headers: ["Content-Encoding: deflate"]).status == 200)
        #expect(waitFor(10) { alerts(peer).contains { change($0) == "fired" } }, "no notification for the cut line")
        let delay = (peer.received().first?.time ?? 0) - cut.timeIntervalSince1970
        print("alert delivery: upload of the cut line to the webhook: \(String(format: "%.3f", delay)) s")
        #expect(delay < 2, "evaluated on arrival, not on the next timer tick")
        let body = try #require(peer.received().first?.body)
        #expect(body["version"] as? String == "4" && body["status"] as? String == "firing" && body["receiver"] as? String == "webhook-1")
        let fired = try #require(alerts(peer).first)
        let labels = fired["labels"] as? [String: String] ?? [:]
        #expect(labels["alertname"] == "DedicatedLineDown" && labels["site"] == "QNG-CUT" && labels["severity"] == "critical" && labels["path"] == "dedicated")
        #expect((fired["annotations"] as? [String: String])?["summary_vi"] == "Mất đường truyền chuyên dùng tại QNG-CUT")
        #expect(fired["endsAt"] as? String == "0001-01-01T00:00:00Z" && (fired["startsAt"] as? String)?.hasSuffix("Z") == true)

        // The team sees it, and one of them takes it.
        let open = try collector.request("GET", "/api/v1/incidents", token: collector.adminToken)
        let incident = try #require((open.json["incidents"] as? [[String: Any]])?.first)
        #expect(incident["state"] as? String == "firing" && incident["alert"] as? String == "DedicatedLineDown")
        #expect(try collector.request("GET", "/api/v1/incidents").status == 401)
        let ack = try collector.json("POST", "/api/v1/incidents/acknowledge", token: collector.adminToken,
                                     ["key": incident["key"] as? String ?? "", "by": "anh Tuấn"])
        #expect(ack.status == 200, "\(ack.body)")
        #expect(waitFor(10) { alerts(peer).contains { change($0) == "acknowledged" } })
        let again = try collector.json("POST", "/api/v1/incidents/acknowledge", token: collector.adminToken, ["key": "nope", "by": "x"])
        #expect(again.status == 404)

        // The line comes back: resolved once the hold is over (the timer evaluates every 10 s).
        #expect(try collector.request("POST", "/api/v1/ingest", token: agent, body: pathUp(1, batch: 3), headers: ["Content-Encoding: deflate"]).status == 200)
        #expect(waitFor(30) { alerts(peer).contains { $0["status"] as? String == "resolved" } }, "the resolution was not told")
        #expect(alerts(peer).map(change) == ["fired", "acknowledged", "resolved"], "\(alerts(peer).map(change))")
        let after = try collector.request("GET", "/api/v1/incidents", token: collector.adminToken)
        #expect((after.json["incidents"] as? [Any])?.isEmpty == true)
    }

    /// "Commune X, planned power cut": silenced by the API, kept as an incident, told when the silence is lifted.
    @Test func aSilencedSiteIsNotPagedUntilTheSilenceEnds() throws {
        let peer = try WebhookPeer()
        let collector = try CollectorProcess(options: ["--alert-rules", try rulesDirectory(), "--webhook", peer.url])
        defer { collector.stop() }
        let agent = try collector.enrolledAgent(site: "QNG-POWER", name: "Xã Cúp Điện")
        let created = try collector.json("POST", "/api/v1/silences", token: collector.adminToken,
                                         ["matchers": ["site": "QNG-POWER"], "minutes": 240, "by": "chị Lan", "comment": "cắt điện theo kế hoạch"])
        #expect(created.status == 201, "\(created.body)")
        let id = try #require((created.json["silence"] as? [String: Any])?["id"] as? String)
        #expect(try collector.json("POST", "/api/v1/silences", token: collector.adminToken, ["matchers": ["site": "X"], "by": "a"]).status == 400,
                "a silence without an end is refused")
        #expect(try collector.request("GET", "/api/v1/silences").status == 401)
        #expect(try collector.request("POST", "/api/v1/ingest", token: agent, body: pathUp(0, batch: 1), headers: ["Content-Encoding: deflate"]).status == 200)
        Thread.sleep(forTimeInterval: 2)
        #expect(alerts(peer).isEmpty, "a silenced site is not paged")
        let open = try collector.request("GET", "/api/v1/incidents", token: collector.adminToken)
        #expect((open.json["incidents"] as? [[String: Any]])?.first?["muted"] as? Bool == true, "\(open.body)")
        #expect(try collector.request("DELETE", "/api/v1/silences/\(id)", token: collector.adminToken).status == 200)
        #expect(waitFor(20) { alerts(peer).contains { change($0) == "fired" } }, "told once the silence is lifted and the line is still down")
    }

    /// A maintenance window set for the afternoon is still there after the collector restarts.
    @Test(arguments: Backend.allCases) func aMaintenanceWindowOutlivesARestart(backend: Backend) throws {
        let peer = try WebhookPeer()
        let options = ["--alert-rules", try rulesDirectory(), "--webhook", peer.url]
        let first = try CollectorProcess(backend: backend, options: options)
        let agent = try first.enrolledAgent(site: "QNG-MAINT", name: "Xã Bảo Trì")
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let created = try first.json("POST", "/api/v1/silences", token: first.adminToken,
                                     ["matchers": ["site": "QNG-MAINT"], "starts": now, "ends": now + 4 * 3_600_000, "by": "chị Lan",
                                      "comment": "cắt điện theo kế hoạch 13:00–17:00"])
        #expect(created.status == 201, "\(created.body)")
        let later = try first.json("POST", "/api/v1/silences", token: first.adminToken,
                                   ["matchers": ["site": "QNG-OTHER"], "starts": now + 86_400_000, "minutes": 60, "by": "chị Lan"])
        #expect(later.status == 201, "a window planned for tomorrow")
        first.stop()

        let restarted = try CollectorProcess(data: first.data, database: first.database, options: options)
        defer { restarted.stop() }
        let listed = try restarted.request("GET", "/api/v1/silences", token: restarted.adminToken).json["silences"] as? [[String: Any]] ?? []
        #expect(listed.count == 2 && listed.first?["comment"] as? String == "cắt điện theo kế hoạch 13:00–17:00", "\(listed)")
        #expect(try restarted.request("POST", "/api/v1/ingest", token: agent, body: pathUp(0, batch: 1), headers: ["Content-Encoding: deflate"]).status == 200)
        Thread.sleep(forTimeInterval: 2)
        #expect(alerts(peer).isEmpty, "the site under maintenance is not paged after the restart")
        let id = try #require((created.json["silence"] as? [String: Any])?["id"] as? String)
        #expect(try restarted.request("POST", "/api/v1/silences/\(id)/expire", token: restarted.adminToken).status == 200)
        #expect(try restarted.request("POST", "/api/v1/silences/\(id)/expire", token: restarted.adminToken).status == 404, "ended already")
        #expect(waitFor(20) { alerts(peer).contains { change($0) == "fired" } }, "told once the window is lifted early")
        let left = try restarted.request("GET", "/api/v1/silences", token: restarted.adminToken).json["silences"] as? [[String: Any]] ?? []
        #expect(left.count == 1, "only tomorrow's window is left: \(left)")
    }

    /// The district node fails: 30 offices behind it report their line down within a second or two.
    @Test func thirtySitesBehindOneNodeReachTheTeamAsAtMostTwoMessages() throws {
        let peer = try WebhookPeer()
        let collector = try CollectorProcess(options: ["--alert-rules", try lineDownRules(extra: "        group_by: upstream\n"),
                                                       "--webhook", peer.url, "--agent-requests-per-second", "1000"])
        defer { collector.stop() }
        var agents: [String] = []
        for i in 0..<30 {
            let code = String(format: "QNG-ST%02d", i)
            let created = try collector.json("POST", "/api/v1/admin/sites", token: collector.adminToken,
                                             ["code": code, "name": "Xã \(i)", "kind": "commune", "upstream": "POP Sơn Tịnh"])
            #expect(created.status == 201)
            let token = try collector.json("POST", "/api/v1/admin/tokens", token: collector.adminToken, ["site": code])
            let enrolled = try collector.json("POST", "/api/v1/enroll", ["token": token.json["token"] as? String ?? "", "hostname": "pc"])
            agents.append("\(enrolled.json["agent_id"] as? String ?? ""):\(enrolled.json["secret"] as? String ?? "")")
        }
        for agent in agents {
            #expect(try collector.request("POST", "/api/v1/ingest", token: agent, body: pathUp(0, batch: 1), headers: ["Content-Encoding: deflate"]).status == 200)
        }
        // The node's message waits 15 s (so it names every site cut in those seconds), then the next 10 s timer pass.
        #expect(waitFor(30) { alerts(peer).count >= 2 })
        Thread.sleep(forTimeInterval: 12)   // a timer pass too
        let received = alerts(peer)
        print("30 sites behind one node cut: \(received.count) notifications")
        #expect(received.count <= 2 && received.count >= 1, "\(received.map { $0["labels"] ?? [:] })")
        let group = received.first { ($0["labels"] as? [String: String])?["upstream"] == "POP Sơn Tịnh" }
        #expect((group?["labels"] as? [String: String])?["sites"]?.split(separator: ",").count == 30, "the node's message names all 30")
        let open = try collector.request("GET", "/api/v1/incidents", token: collector.adminToken)
        #expect((open.json["incidents"] as? [Any])?.count == 30, "every office keeps its own incident")
    }

    /// Telegram's servers are out of reach here: a stand-in checks the Bot API request's shape.
    @Test func aTeamsTelegramGroupGetsTheMessageInVietnamese() throws {
        let telegram = try WebhookPeer()
        try telegram.set(reply: #"{"ok":false,"error_code":403,"description":"Forbidden: bot was kicked from the group chat"}"#)
        let collector = try CollectorProcess(options: ["--alert-rules", try rulesDirectory(), "--telegram-token", "123456:ABC-test",
                                                       "--telegram-chat=-1001234567890", "--telegram-api", "http://127.0.0.1:\(telegram.port)"])
        defer { collector.stop() }
        let agent = try collector.enrolledAgent(site: "QNG-TG", name: "Xã Tê Lê")
        #expect(try collector.request("POST", "/api/v1/ingest", token: agent, body: pathUp(0, batch: 1), headers: ["Content-Encoding: deflate"]).status == 200)
        #expect(waitFor(10) { !telegram.requests().isEmpty })
        // A bot that was removed from the group: the Bot API's own words in the delivery log, and retried.
        #expect(waitFor(10) {
            let log = (try? collector.request("GET", "/api/v1/deliveries", token: collector.adminToken).body) ?? ""
            return log.contains("bot was kicked")
        })
        try telegram.set(reply: #"{"ok":true,"result":{"message_id":7}}"#)
        #expect(waitFor(20) {
            let log = (try? collector.request("GET", "/api/v1/deliveries", token: collector.adminToken).json["deliveries"] as? [[String: Any]]) ?? []
            return log.contains { $0["delivered"] as? Bool == true }
        })
        let request = try #require(telegram.requests().last)
        #expect(request.path == "/bot123456:ABC-test/sendMessage")
        let body = (try? JSONSerialization.jsonObject(with: Data(request.body.utf8))) as? [String: Any] ?? [:]
        #expect(body["chat_id"] as? String == "-1001234567890")
        let text = body["text"] as? String ?? ""
        #expect(text.contains("SỰ CỐ") && text.contains("Mất đường truyền chuyên dùng tại QNG-TG") && text.contains("Từ "), "\(text)")
        let log = try collector.request("GET", "/api/v1/deliveries", token: collector.adminToken).body
        #expect(!log.contains("ABC-test"), "the bot token is not written to the delivery log")
    }

    @Test func aReceiverThatIsDownGetsTheMessageOnceItIsBack() throws {
        let peer = try WebhookPeer()
        try peer.set(mode: "down")
        let collector = try CollectorProcess(options: ["--alert-rules", try rulesDirectory(), "--webhook", peer.url])
        defer { collector.stop() }
        let agent = try collector.enrolledAgent(site: "QNG-DOWN", name: "Xã Chờ")
        #expect(try collector.request("POST", "/api/v1/ingest", token: agent, body: pathUp(0, batch: 1), headers: ["Content-Encoding: deflate"]).status == 200)
        #expect(waitFor(20) { peer.received().filter { $0.answered == 503 }.count >= 3 }, "retried while the receiver is down")
        try peer.set(mode: "reset")
        #expect(waitFor(20) { peer.received().contains { $0.answered == 0 } }, "retried through a reset connection")
        try peer.set(mode: "ok")
        #expect(waitFor(40) { !alerts(peer).isEmpty }, "delivered when the receiver is back")
        Thread.sleep(forTimeInterval: 3)
        #expect(alerts(peer).count == 1, "delivered once: \(alerts(peer).count)")
        let log = try collector.request("GET", "/api/v1/deliveries", token: collector.adminToken)
        let attempts = log.json["deliveries"] as? [[String: Any]] ?? []
        #expect(attempts.filter { $0["delivered"] as? Bool == false }.count >= 4 && attempts.last?["delivered"] as? Bool == true, "\(log.body)")
        #expect(attempts.contains { ($0["error"] as? String)?.contains("503") == true })
        let file = (try? String(contentsOfFile: collector.data + "/deliveries.jsonl", encoding: .utf8)) ?? ""
        #expect(file.split(separator: "\n").count == attempts.count, "the delivery log is kept on disk too")
    }
}

/// The shipped line-down rule in a directory of its own, with a short resolve hold (and `extra`
/// lines) so tests need not wait a minute for a resolution.
func lineDownRules(extra: String) throws -> String {
    let dir = scratchDirectory("rules")
    try """
        groups:
          - name: line
            rules:
              - alert: DedicatedLineDown
                expr: 'last_over_time(probe_path_up{path="dedicated"}[2m]) < 1'
                resolve: 1
                resolve_hold: 5s
        \(extra)        severity: critical
                annotations:
                  summary_vi: "Mất đường truyền chuyên dùng tại {{site}}"
                  summary_en: "Dedicated line down at {{site}}"
        """.write(toFile: dir + "/line.yml", atomically: true, encoding: .utf8)
    return dir
}
