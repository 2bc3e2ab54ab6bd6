import Deflate
import Foundation
import Testing
import TestSupport
@testable import WatchModel

/// The page a message links to, the incident API and the CLI, against a real collector with a real
/// incident (a cut line uploaded by an enrolled agent) and a receiver of the test's own.
@Suite(.ownThread) struct AcknowledgePageTests {
    let delivery = AlertDeliveryTests()

    func upload(_ collector: CollectorProcess, _ agent: String, up: Double, batch: UInt8) throws {
        let reply = try collector.request("POST", "/api/v1/ingest", token: agent, body: delivery.pathUp(up, batch: batch), headers: ["Content-Encoding: deflate"])
        #expect(reply.status == 200, "\(reply.body)")
    }

    /// A collector whose agent at `site` has just reported its line cut, and the incident's id.
    func cutLine(site: String, backend: Backend = .sqlite) throws -> (collector: CollectorProcess, peer: WebhookPeer, id: String) {
        let peer = try WebhookPeer()
        let collector = try CollectorProcess(backend: backend, options: ["--alert-rules", try lineDownRules(extra: ""), "--webhook", peer.url])
        let agent = try collector.enrolledAgent(site: site, name: "Xã \(site)")
        try upload(collector, agent, up: 0, batch: 1)
        #expect(delivery.waitFor(10) { delivery.alerts(peer).contains { delivery.change($0) == "fired" } }, "no notification for the cut line")
        let open = try collector.request("GET", "/api/v1/incidents", token: collector.adminToken)
        let id = try #require((open.json["incidents"] as? [[String: Any]])?.first?["id"] as? String, "\(open.body)")
        return (collector, peer, id)
    }

    func path(_ id: String) -> String {
        "/api/v1/incidents/" + id.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
    }

    func form(_ fields: [String: String]) -> [UInt8] {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._")
        return Array(fields.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed)!)" }
            .joined(separator: "&").utf8)
    }

    func post(_ collector: CollectorProcess, _ page: String, _ fields: [String: String]) throws -> (status: Int, body: String, json: [String: Any]) {
        try collector.request("POST", page, body: form(fields), headers: ["Content-Type: application/x-www-form-urlencoded"])
    }

    @Test(arguments: Backend.allCases) func aPersonAcknowledgesAddsANoteAndSilencesFromThePhonePage(backend: Backend) throws {
        let (collector, peer, id) = try cutLine(site: "QNG-ACK", backend: backend)
        defer { collector.stop() }
        let detail = try collector.request("GET", path(id), token: collector.adminToken)
        #expect(detail.status == 200, "\(detail.body)")
        let incident = try #require(detail.json["incident"] as? [String: Any])
        let link = try #require(incident["acknowledge_url"] as? String)
        #expect(link.hasPrefix(collector.url + "/ack/"), "the link uses the collector's address: \(link)")
        let page = String(link.dropFirst(collector.url.count))

        // The page: the incident in Vietnamese with English beneath, small, nothing fetched from elsewhere.
        let shown = try collector.request("GET", page)
        #expect(shown.status == 200)
        for text in ["QNG-ACK", "Mất đường truyền chuyên dùng tại QNG-ACK", "Nhận xử lý", "Acknowledge", "Ghi chú", "Add note",
                     "Tạm tắt N giờ", "Silence for N hours", "đang báo động", "width=device-width"] {
            #expect(shown.body.contains(text), "the page lacks '\(text)'")
        }
        #expect(!shown.body.contains("<script") && !shown.body.contains("<link") && !shown.body.contains("src="), "no external resources")
        print("acknowledge page: \(shown.body.utf8.count) bytes")
        #expect(shown.body.utf8.count < 8_000, "small enough for thin 4G")
        let english = try collector.request("GET", page + "?lang=en")
        #expect(english.body.contains("Acknowledge") && !english.body.contains("Nhận xử lý"))

        // A name is required; then the acknowledgement reaches the receivers and the page says who.
        #expect(try post(collector, page, ["incident": id, "name": " ", "action": "acknowledge"]).status == 400)
        let acked = try post(collector, page, ["incident": id, "name": "anh Tuấn", "note": "đang lên xã", "action": "acknowledge"])
        #expect(acked.status == 200 && acked.body.contains("Đã nhận xử lý: anh Tuấn"), "\(acked.body)")
        #expect(acked.body.contains("đã có người nhận"))
        #expect(delivery.waitFor(10) { delivery.alerts(peer).contains { delivery.change($0) == "acknowledged" } }, "the receivers were not told")
        #expect(try post(collector, page, ["incident": id, "name": "chị Lan", "action": "acknowledge"]).status == 409, "taken once")

        // A note in Vietnamese, with markup that must come back as text.
        let note = "Điện lực báo cắt điện đến 14:00 <script>alert(1)</script> & xong"
        let noted = try post(collector, page, ["incident": id, "name": "anh Tuấn", "note": note, "action": "note"])
        #expect(noted.status == 200 && noted.body.contains("Điện lực báo cắt điện đến 14:00 &lt;script&gt;alert(1)&lt;/script&gt; &amp; xong"))
        #expect(!noted.body.contains("<script>"), "HTML is escaped")
        let silenced = try post(collector, page, ["incident": id, "name": "anh Tuấn", "hours": "2", "note": "chờ điện", "action": "silence"])
        #expect(silenced.status == 200 && silenced.body.contains("Đã tạm tắt"), "\(silenced.body)")
        let silences = try collector.request("GET", "/api/v1/silences", token: collector.adminToken).json["silences"] as? [[String: Any]] ?? []
        #expect(silences.contains { $0["matchers"] as? [String: String] == ["site": "QNG-ACK", "alertname": "DedicatedLineDown"] && $0["created_by"] as? String == "anh Tuấn" })

        // The API shows the history the page wrote.
        let after = try collector.request("GET", path(id), token: collector.adminToken).json["incident"] as? [String: Any] ?? [:]
        let history = after["history"] as? [[String: Any]] ?? []
        // The collector's lines (fired, each message sent) and the people's, in order.
        let kinds = history.map { $0["kind"] as? String ?? "" }
        #expect(Array(kinds.prefix(2)) == ["fired", "notified"], "\(history)")
        let people = history.filter { $0["by"] as? String != "collector" }
        #expect(people.map { $0["kind"] as? String ?? "" } == ["acknowledged", "note", "silenced"], "\(history)")
        #expect(people.first?["text"] as? String == "đang lên xã" && people[1]["text"] as? String == note)
        #expect(history.first?["text"] as? String == "Mất đường truyền chuyên dùng tại QNG-ACK")
        #expect(history[1]["text"] as? String == "webhook-1", "the message sent names its receiver: \(history)")
        #expect(after["state"] as? String == "acknowledged" && after["acknowledged_by"] as? String == "anh Tuấn")

        // Refused, with a page that says why: a tampered token, a form for another incident, an expired link.
        var tampered = Array(page)
        tampered[tampered.count - 1] = tampered.last == "0" ? "1" : "0"
        let forged = try collector.request("GET", String(tampered))
        #expect(forged.status == 403 && forged.body.contains("Liên kết không hợp lệ"))
        #expect(try post(collector, String(tampered), ["incident": id, "name": "x", "action": "acknowledge"]).status == 403)
        let token = page.dropFirst("/ack/".count)
        let otherPayload = Data("DedicatedLineDown|{\"site\":\"QNG-OTHER\"}@1\n\(Int64.max)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        let swapped = "/ack/" + otherPayload + token[token.lastIndex(of: ".")!...]
        #expect(try collector.request("GET", swapped).status == 403, "a signature covers its own incident only")
        let other = try post(collector, page, ["incident": "PortalDown|{}@1", "name": "x", "action": "note", "note": "n"])
        #expect(other.status == 403 && other.body.contains("sự cố khác"))
        #expect(try collector.request("GET", "/ack/garbage").status == 403)
        let short = try collector.json("POST", path(id) + "/link", token: collector.adminToken, ["seconds": 1])
        let shortPage = String((short.json["url"] as? String ?? "").dropFirst(collector.url.count))
        #expect(try collector.request("GET", shortPage).status == 200)
        Thread.sleep(forTimeInterval: 1.2)
        let expired = try collector.request("GET", shortPage)
        #expect(expired.status == 410 && expired.body.contains("hết hạn"), "\(expired.status)")
        #expect(try post(collector, shortPage, ["incident": id, "name": "x", "action": "note", "note": "n"]).status == 410)

        // The link's key is kept in the database: the same link opens after a restart (SQLite, the same
        // data directory), and on another collector sharing the PostgreSQL database (a data directory of its own).
        collector.stop()
        let restarted = try CollectorProcess(data: backend == .sqlite ? collector.data : nil, database: collector.database,
                                             adminToken: collector.adminToken, options: ["--alert-rules", try lineDownRules(extra: "")])
        defer { restarted.stop() }
        let reopened = try restarted.request("GET", page)
        #expect(reopened.status == 200 && reopened.body.contains("anh Tuấn") && reopened.body.contains("chờ điện"), "\(reopened.status)")
    }

    @Test func acknowledgingByKeyAsBeforeWritesTheHistoryToo() throws {
        let (collector, peer, id) = try cutLine(site: "QNG-KEY")
        defer { collector.stop() }
        let key = String(id[..<id.lastIndex(of: "@")!])
        let ack = try collector.json("POST", "/api/v1/incidents/acknowledge", token: collector.adminToken, ["key": key, "by": "anh Tuấn"])
        #expect(ack.status == 200 && ack.json["acknowledged"] as? String == key, "\(ack.body)")
        #expect(delivery.waitFor(10) { delivery.alerts(peer).contains { delivery.change($0) == "acknowledged" } })
        let again = try collector.json("POST", "/api/v1/incidents/acknowledge", token: collector.adminToken, ["key": key, "by": "chị Lan"])
        #expect(again.status == 404, "taken already: refused as before")
        let incident = try collector.request("GET", path(id), token: collector.adminToken).json["incident"] as? [String: Any] ?? [:]
        #expect(incident["acknowledged_by"] as? String == "anh Tuấn")
        #expect((incident["history"] as? [[String: Any]])?.map { "\($0["kind"] ?? "") \($0["by"] ?? "")" }
            == ["fired collector", "notified collector", "acknowledged anh Tuấn", "notified collector"])
        let all = try collector.request("GET", "/api/v1/incidents?state=all&site=QNG-KEY", token: collector.adminToken)
        #expect((all.json["incidents"] as? [[String: Any]])?.map { $0["id"] as? String } == [id], "\(all.body)")
        #expect(try collector.request("GET", "/api/v1/incidents?state=closed", token: collector.adminToken).status == 400)
        #expect(try collector.request("GET", path(id)).status == 401)
        #expect(try collector.json("POST", path(id) + "/link", ["seconds": 1]).status == 401, "only the admin mints links")
    }

    @Test func twoPhonesAcknowledgingAtOnceLeaveOneNameAndOneMessage() throws {
        let (collector, peer, id) = try cutLine(site: "QNG-RACE")
        defer { collector.stop() }
        let link = try collector.request("GET", path(id), token: collector.adminToken).json["incident"] as? [String: Any] ?? [:]
        let page = String((link["acknowledge_url"] as? String ?? "").dropFirst(collector.url.count))
        let lock = NSLock()
        nonisolated(unsafe) var statuses: [String: Int] = [:]
        let group = DispatchGroup()
        for name in ["anh Tuấn", "chị Lan"] {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                let status = (try? post(collector, page, ["incident": id, "name": name, "action": "acknowledge"]).status) ?? 0
                lock.withLock { statuses[name] = status }
            }
        }
        #expect(group.wait(timeout: .now() + 60) == .success)
        #expect(statuses.values.sorted() == [200, 409], "\(statuses)")
        let winner = statuses.first { $0.value == 200 }?.key
        let incident = try collector.request("GET", path(id), token: collector.adminToken).json["incident"] as? [String: Any] ?? [:]
        #expect(incident["acknowledged_by"] as? String == winner)
        #expect((incident["history"] as? [[String: Any]])?.filter { $0["kind"] as? String == "acknowledged" }.count == 1)
        #expect(delivery.waitFor(10) { delivery.alerts(peer).contains { delivery.change($0) == "acknowledged" } })
        Thread.sleep(forTimeInterval: 1)
        #expect(delivery.alerts(peer).filter { delivery.change($0) == "acknowledged" }.count == 1)
    }

    @Test func theCommandsListAcknowledgeAnnotateAndSilenceThroughTheRunningCollector() throws {
        let (collector, peer, id) = try cutLine(site: "QNG-CLI")
        defer { collector.stop() }
        let target = ["--collector", collector.url, "--admin-token", collector.adminToken]
        func cli(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
            try run(try collectorBinary(), arguments + target, timeout: 60)
        }
        let listed = try cli(["incidents", "list"])
        #expect(listed.status == 0 && listed.stdout.contains("firing  QNG-CLI  DedicatedLineDown") && listed.stdout.contains("id: \(id)"), "\(listed)")
        #expect(try cli(["incidents", "list", "--site", "QNG-OTHER"]).stdout.contains("no open incidents"))

        let acked = try cli(["incidents", "ack", id, "--by", "chị Hương", "--note", "đã gọi điện lực"])
        #expect(acked.status == 0 && acked.stdout.contains("acknowledged by chị Hương"), "\(acked)")
        #expect(delivery.waitFor(10) { delivery.alerts(peer).contains { delivery.change($0) == "acknowledged" } })
        let twice = try cli(["incidents", "ack", id, "--by", "anh Nam"])
        #expect(twice.status != 0 && twice.stderr.contains("409") && twice.stderr.contains("chị Hương"), "\(twice)")
        #expect(try cli(["incidents", "note", id, "--by", "chị Hương", "Cột điện đổ ở thôn 3"]).status == 0)
        let history = try collector.request("GET", path(id), token: collector.adminToken).json["incident"] as? [String: Any] ?? [:]
        let written = (history["history"] as? [[String: Any]])?.filter { $0["by"] as? String != "collector" }
        #expect(written?.map { $0["text"] as? String ?? "" } == ["đã gọi điện lực", "Cột điện đổ ở thôn 3"])
        #expect(try cli(["incidents", "list"]).stdout.contains("acknowledged by chị Hương"))
        let missing = try cli(["incidents", "note", "nope@1", "--by", "x", "y"])
        #expect(missing.status != 0 && missing.stderr.contains("404"), "\(missing)")

        let added = try cli(["silences", "add", "--site", "QNG-CLI", "--alert", "DedicatedLineDown", "--minutes", "90", "--by", "chị Hương",
                             "--comment", "cắt điện theo kế hoạch"])
        #expect(added.status == 0, "\(added)")
        let silenceID = try #require(added.stdout.split(separator: " ").dropFirst().first.map { String($0.dropLast()) })
        let windowed = try cli(["silences", "add", "--site", "QNG-CLI", "--from", "2030-01-02T08:00", "--until", "2030-01-02T12:00", "--by", "a"])
        #expect(windowed.status == 0 && windowed.stdout.contains("until 2030-01-02 12:00"), "\(windowed)")
        let list = try cli(["silences", "list"])
        #expect(list.stdout.contains(silenceID) && list.stdout.contains("alertname=DedicatedLineDown,site=QNG-CLI") && list.stdout.contains("cắt điện theo kế hoạch"), "\(list)")
        #expect(list.stdout.contains("2030-01-02 08:00 → 2030-01-02 12:00"), "Vietnam's time, as given")
        #expect(try cli(["silences", "expire", silenceID]).status == 0)
        #expect(!(try cli(["silences", "list"]).stdout.contains(silenceID)))
        let bad = try cli(["silences", "add", "--site", "X", "--until", "tomorrow", "--by", "a"])
        #expect(bad.status != 0 && bad.stderr.contains("--until 'tomorrow'"), "\(bad)")

        let wrong = try run(try collectorBinary(), ["incidents", "list", "--collector", collector.url, "--admin-token", "nope"], timeout: 60)
        #expect(wrong.status != 0 && wrong.stderr.contains("401"), "\(wrong)")
    }
}
