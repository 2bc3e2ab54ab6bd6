import Foundation
import Testing
import TestSupport
@testable import WatchModel

/// The collector with a routing file (`alerts/routing.yml` beside the rules): each district's
/// team gets its own offices, nobody else's; an incident nobody acknowledges reaches the team
/// lead by e-mail (a real SMTP sink), one acknowledged in time does not.
@Suite(.ownThread) struct RoutedAlertTests {
    let delivery = AlertDeliveryTests()

    /// The line-down rule with a routing file: two teams by district, each with its webhook; the
    /// lead is e-mailed when nobody acknowledges within `escalateAfter`.
    func rules(smtp: String, teamA: String, teamB: String, escalateAfter: String = "6s", rule extra: String = "") throws -> String {
        let dir = try lineDownRules(extra: extra)
        try """
            receivers:
              - {name: doi1-group, kind: webhook, url: "\(teamA)"}
              - {name: doi2-group, kind: webhook, url: "\(teamB)"}
              - {name: email, kind: email, smtp: "\(smtp)", from: "canhbao@example.gov.vn", starttls: "off"}
            people:
              - {name: Nguyễn Văn An, email: an.nv@example.gov.vn}
              - {name: Phạm Thị Dung, email: dung.pt@example.gov.vn}
            teams:
              - {name: Đội 1, districts: [Sơn Tịnh], members: [Nguyễn Văn An], receivers: [doi1-group], lead: Nguyễn Văn An}
              - {name: Đội 2, districts: [Ba Tơ], members: [Phạm Thị Dung], receivers: [doi2-group], lead: Phạm Thị Dung}
            route:
              team_receivers: true
              group_by: [alertname, district]
              group_wait: 1s
              group_interval: 2s
              escalate:
                - {after: \(escalateAfter), to: lead, receivers: [email]}
            """.write(toFile: dir + "/routing.yml", atomically: true, encoding: .utf8)
        return dir
    }

    func site(_ collector: CollectorProcess, _ code: String, district: String, upstream: String = "") throws -> String {
        let created = try collector.json("POST", "/api/v1/admin/sites", token: collector.adminToken,
                                         ["code": code, "name": "Xã \(code)", "kind": "commune", "district": district, "upstream": upstream])
        #expect(created.status == 201, "\(created.body)")
        let token = try collector.json("POST", "/api/v1/admin/tokens", token: collector.adminToken, ["site": code])
        let enrolled = try collector.json("POST", "/api/v1/enroll", ["token": token.json["token"] as? String ?? "", "hostname": "pc"])
        return "\(enrolled.json["agent_id"] as? String ?? ""):\(enrolled.json["secret"] as? String ?? "")"
    }

    func sites(_ peer: WebhookPeer) -> [String] {
        delivery.alerts(peer).compactMap { ($0["labels"] as? [String: String])?["site"] }
    }

    @Test func eachTeamGetsItsDistrictAndTheLeadIsEmailedWhenNobodyAcknowledges() throws {
        let smtp = try SMTPPeer()
        let teamA = try WebhookPeer(), teamB = try WebhookPeer()
        let collector = try CollectorProcess(options: ["--alert-rules", try rules(smtp: smtp.url, teamA: teamA.url, teamB: teamB.url)])
        defer { collector.stop() }
        let sonTinh = try site(collector, "QNG-ST1", district: "Sơn Tịnh")
        let baTo = try site(collector, "QNG-BT1", district: "Ba Tơ")
        let cut = Date()
        for agent in [sonTinh, baTo] {
            #expect(try collector.request("POST", "/api/v1/ingest", token: agent, body: delivery.pathUp(0, batch: 1),
                                          headers: ["Content-Encoding: deflate"]).status == 200)
        }
        #expect(delivery.waitFor(10) { !sites(teamA).isEmpty && !sites(teamB).isEmpty }, "each team is told")
        print("routed alert: cut to the team's message: \(String(format: "%.1f", (teamA.received().first?.time ?? 0) - cut.timeIntervalSince1970)) s")
        #expect(sites(teamA) == ["QNG-ST1"] && sites(teamB) == ["QNG-BT1"], "each team gets only its district: \(sites(teamA)) \(sites(teamB))")
        #expect(teamA.received().first?.body["receiver"] as? String == "doi1-group")

        // Đội 2 takes its incident from the link in the message before the escalation is due.
        let open = try collector.request("GET", "/api/v1/incidents", token: collector.adminToken).json["incidents"] as? [[String: Any]] ?? []
        let baToIncident = try #require(open.first { ($0["labels"] as? [String: String])?["site"] == "QNG-BT1" }?["id"] as? String)
        let inMessage = delivery.alerts(teamB).first.flatMap { ($0["annotations"] as? [String: String])?["communewatch_acknowledge_url"] }
        let link = try #require(inMessage, "the message carries the acknowledge link")
        let page = String(link.dropFirst(collector.url.count))
        let acked = try collector.request("POST", page, body: Array("incident=\(baToIncident.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)&name=Dung&action=acknowledge".utf8),
                                          headers: ["Content-Type: application/x-www-form-urlencoded"])
        #expect(acked.status == 200, "\(acked.body)")

        // Nobody takes Sơn Tịnh's: its lead is e-mailed, once; Đội 2's lead is not.
        #expect(delivery.waitFor(20) { !smtp.messages().isEmpty }, "the escalation e-mail did not arrive")
        Thread.sleep(forTimeInterval: 3)
        let mails = smtp.messages()
        #expect(mails.count == 1, "one escalation: \(mails.map { $0["rcpt_tos"] ?? "" })")
        let mail = try #require(mails.first)
        #expect(mail["rcpt_tos"] as? [String] == ["an.nv@example.gov.vn"], "to the lead of Đội 1: \(mail["rcpt_tos"] ?? "")")
        #expect((mail["subject"] as? String ?? "").contains("CHƯA AI NHẬN XỬ LÝ (nhắc lần 1)"), "the e-mail says why: \(mail["subject"] ?? "")")
        let body = mail["body"] as? String ?? ""
        #expect(body.contains("QNG-ST1") && !body.contains("QNG-BT1"), "\(body)")
        #expect(body.contains(collector.url + "/ack/"), "the e-mail carries the acknowledge link: \(body)")

        // The history says what was sent, to whom, and who took it.
        let stIncident = try #require(open.first { ($0["labels"] as? [String: String])?["site"] == "QNG-ST1" }?["id"] as? String)
        let history = (try collector.request("GET", "/api/v1/incidents/" + stIncident.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!,
                                             token: collector.adminToken).json["incident"] as? [String: Any])?["history"] as? [[String: Any]] ?? []
        let lines = history.map { "\($0["kind"] ?? ""): \($0["text"] ?? "")" }
        #expect(lines.contains("notified: doi1-group") && lines.contains("escalated: email: step 1: Nguyễn Văn An"), "\(lines)")
        let baHistory = (try collector.request("GET", "/api/v1/incidents/" + baToIncident.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!,
                                               token: collector.adminToken).json["incident"] as? [String: Any])?["history"] as? [[String: Any]] ?? []
        #expect(baHistory.contains { $0["kind"] as? String == "acknowledged" && $0["by"] as? String == "Dung" })
        #expect(!baHistory.contains { $0["kind"] as? String == "escalated" }, "acknowledged in time: not escalated")
    }

    /// The node's message names sites, not one site: it reaches the team of their district.
    @Test func aNodesMessageReachesTheTeamOfItsDistrict() throws {
        let smtp = try SMTPPeer()
        let teamA = try WebhookPeer(), teamB = try WebhookPeer()
        let collector = try CollectorProcess(options: ["--alert-rules", try rules(smtp: smtp.url, teamA: teamA.url, teamB: teamB.url,
                                                                                  escalateAfter: "1h", rule: "        group_by: upstream\n")])
        defer { collector.stop() }
        let agents = try (1...3).map { try site(collector, "QNG-NODE\($0)", district: "Sơn Tịnh", upstream: "POP Sơn Tịnh") }
        for agent in agents {
            #expect(try collector.request("POST", "/api/v1/ingest", token: agent, body: delivery.pathUp(0, batch: 1),
                                          headers: ["Content-Encoding: deflate"]).status == 200)
        }
        // The node's message waits 15 s after the second site, then the next timer pass.
        #expect(delivery.waitFor(40) { delivery.alerts(teamA).contains { ($0["labels"] as? [String: String])?["upstream"] == "POP Sơn Tịnh" } },
                "the node's message did not reach Đội 1: \(delivery.alerts(teamA).map { $0["labels"] ?? [:] })")
        let node = delivery.alerts(teamA).first { ($0["labels"] as? [String: String])?["upstream"] != nil }?["labels"] as? [String: String]
        #expect(node?["sites"] == "QNG-NODE1,QNG-NODE2,QNG-NODE3", "\(node ?? [:])")
        #expect(delivery.alerts(teamB).isEmpty, "Đội 2 is not told about Sơn Tịnh")
        #expect(teamA.received().count <= 2, "\(teamA.received().count) messages")
    }

    @Test func aWrongRoutingFileStopsTheCollectorWithFileAndLine() throws {
        let dir = try lineDownRules(extra: "")
        try """
            receivers:
              - {name: doi1-group, kind: webhook, url: "http://127.0.0.1:9/x"}
            route:
              receiver: doi9-group
            """.write(toFile: dir + "/routing.yml", atomically: true, encoding: .utf8)
        let data = scratchDirectory("collector-data")
        let started = try run(try collectorBinary(), ["serve", "--listen", "127.0.0.1:0", "--data", data, "--alert-rules", dir], timeout: 60)
        #expect(started.status != 0)
        let said = started.stdout + started.stderr
        #expect(said.contains("routing.yml:4") && said.contains("doi9-group"), "\(said)")
    }
}
