import Foundation
import Testing
import TestSupport

/// The incidents page through a real collector: real incidents (cut lines uploaded by enrolled
/// agents) grouped as the routing file's teams receive them, and the page's forms acknowledging,
/// annotating and silencing under the person's name, with the session's CSRF token, for support only.
@Suite(.ownThread) struct IncidentsPageTests {
    let pages = PagesTests()
    let delivery = AlertDeliveryTests()
    let staff = StaffAccessTests()

    /// Two teams by district; sites behind one node cut together are one incident about the node.
    func rules(receiver: String) throws -> String {
        let dir = try lineDownRules(extra: "        group_by: upstream\n")
        try """
            receivers:
              - {name: team-group, kind: webhook, url: "\(receiver)"}
            teams:
              - {name: Đội 1, districts: [Sơn Tịnh], receivers: [team-group]}
              - {name: Đội 2, districts: [Ba Tơ], receivers: [team-group]}
            route:
              team_receivers: true
              group_by: [alertname, district]
              group_wait: 1s
            """.write(toFile: dir + "/routing.yml", atomically: true, encoding: .utf8)
        return dir
    }

    /// Each `<form … action="…">`'s action (entities undone) with the incident id it names (decoded).
    func actions(_ html: String, _ verb: String) -> [(action: String, incident: String)] {
        let pattern = try! NSRegularExpression(pattern: "action=\"(/incidents/([^\"/]+)/\(verb)[^\"]*)\"")
        return pattern.matches(in: html, range: NSRange(html.startIndex..., in: html)).map { m in
            let action = String(html[Range(m.range(at: 1), in: html)!]).replacingOccurrences(of: "&amp;", with: "&")
            let raw = String(html[Range(m.range(at: 2), in: html)!]).replacingOccurrences(of: "&amp;", with: "&")
            return (action, raw.removingPercentEncoding ?? raw)
        }
    }

    /// The team's `<section>` of the page.
    func section(_ html: String, team: String) -> String? {
        html.components(separatedBy: "<section class=\"team\"").dropFirst().first { $0.hasPrefix(" data-team=\"\(team)\"") }
            .map { $0.components(separatedBy: "</section>")[0] }
    }

    @Test(.timeLimit(.minutes(10))) func supportActsFromThePageAndOthersOnlyLook() throws {
        let peer = try WebhookPeer()
        let collector = try CollectorProcess(options: ["--alert-rules", try rules(receiver: peer.url)])
        defer { collector.stop() }
        try staff.addStaff(collector)
        let sites = [("QNG-INC-A", "Xã Tịnh Hà", "Sơn Tịnh", "POP Sơn Tịnh"), ("QNG-INC-B", "Xã Ba Thành", "Ba Tơ", "POP Ba Tơ"),
                     ("QNG-INC-C", "Xã Ba Vinh", "Ba Tơ", "POP Ba Tơ")]
        var agents: [String: String] = [:]
        for (code, name, district, node) in sites {
            let agent = try pages.agent(collector, ["code": code, "name": name, "kind": "commune", "district": district, "upstream": node])
            agents[code] = agent
            try pages.upload(collector, agent, [(pages.key("probe_path_up", ["path": "dedicated"]), [pages.point(0)])])
        }
        func incidents(_ state: String) throws -> [[String: Any]] {
            try collector.request("GET", "/api/v1/incidents?state=\(state)", token: collector.adminToken).json["incidents"] as? [[String: Any]] ?? []
        }
        #expect(delivery.waitFor(15) { (try? incidents("open").count) == 3 }, "three cut lines: \((try? incidents("open")) ?? [])")
        // Ba Tơ's two sites behind one node cut within the window: one incident about the node, told after its wait.
        #expect(delivery.waitFor(40) { (try? incidents("all"))?.contains { ($0["labels"] as? [String: String])?["sites"] != nil } == true },
                "the node's incident: \((try? incidents("all")) ?? [])")

        let support = Browser(collector)
        try #require(support.signIn("tuan", staff.password("tuan")).status == 200)
        let page = try support.send("GET", "/incidents")
        #expect(page.status == 200, "\(page.body)")
        #expect(page.body.contains("<a href=\"/incidents\">Sự cố</a>"), "the header links the page")
        let one = try #require(section(page.body, team: "Đội 1"), "\(page.body)")
        let two = try #require(section(page.body, team: "Đội 2"), "\(page.body)")
        #expect(one.contains("QNG-INC-A") && !one.contains("QNG-INC-B") && !one.contains("QNG-INC-C"))
        #expect(two.contains("QNG-INC-B") && two.contains("QNG-INC-C") && !two.contains("QNG-INC-A"))
        #expect(two.contains("Nút POP Ba Tơ") && two.contains("2 điểm"), "the node's incident with its member sites:\n\(two)")
        // The node's card comes first in its team and holds its sites' own incidents; it is silenced site by site.
        let node = two.components(separatedBy: "<article").dropFirst().first ?? ""
        #expect(node.contains("data-incident=\"upstream|POP Ba Tơ@") && node.contains("Xã Ba Thành") && node.contains("Xã Ba Vinh"), "\(node)")
        #expect(actions(page.body, "silence").allSatisfy { !$0.incident.hasPrefix("upstream|") })
        #expect(one.contains("<a href=\"/sites/QNG-INC-A\">Xã Tịnh Hà</a>") && one.contains("đang báo động") && one.contains("Sơn Tịnh"))
        #expect(page.body.contains("name=\"csrf\" value=\"\(support.csrf ?? "-")\""), "the forms carry the session's token")

        let acknowledge = actions(page.body, "acknowledge")
        let forA = try #require(acknowledge.first { $0.incident.contains("QNG-INC-A") }, "\(acknowledge)")
        let forB = try #require(actions(page.body, "silence").first { $0.incident.contains("QNG-INC-B") && !$0.incident.contains("QNG-INC-C") })
        let noteC = try #require(actions(page.body, "note").first { $0.incident.contains("QNG-INC-C") && !$0.incident.contains("QNG-INC-B") })

        // Acknowledge, note, silence: each back to the list (303), which says what was done.
        let acked = try support.send("POST", forA.action, form: ["csrf": support.csrf!])
        #expect(acked.status == 303 && acked.headers["location"] == "/incidents?done=acknowledged", "\(acked.status) \(acked.headers) \(acked.body)")
        let noted = try support.send("POST", noteC.action, form: ["csrf": support.csrf!, "text": "Điện lực báo 14:00 có điện"])
        #expect(noted.status == 303 && noted.headers["location"] == "/incidents?done=noted", "\(noted.body)")
        let silenced = try support.send("POST", forB.action, form: ["csrf": support.csrf!, "for": "4h", "reason": "cắt điện có kế hoạch"])
        #expect(silenced.status == 303 && silenced.headers["location"] == "/incidents?done=silenced", "\(silenced.body)")
        let after = try support.send("GET", "/incidents?done=acknowledged")
        #expect(after.body.contains("Đã nhận xử lý sự cố."))
        let oneAfter = section(after.body, team: "Đội 1") ?? ""
        #expect(oneAfter.contains("data-state=\"acknowledged\"") && oneAfter.contains("đã nhận xử lý") && oneAfter.contains("anh Tuấn"), "\(oneAfter)")
        #expect(actions(after.body, "acknowledge").allSatisfy { !$0.incident.contains("QNG-INC-A") }, "no second acknowledge button")
        #expect(after.body.contains("Điện lực báo 14:00 có điện") && after.body.contains("tạm tắt đến"), "the note and the silence are shown")
        let open = try incidents("open")
        #expect(open.first { ($0["labels"] as? [String: String])?["site"] == "QNG-INC-A" }?["acknowledged_by"] as? String == "anh Tuấn")
        let silences = try collector.request("GET", "/api/v1/silences", token: collector.adminToken).json["silences"] as? [[String: Any]] ?? []
        let silence = try #require(silences.first, "\(silences)")
        #expect((silence["matchers"] as? [String: String])?["site"] == "QNG-INC-B" && silence["created_by"] as? String == "anh Tuấn"
                && silence["comment"] as? String == "cắt điện có kế hoạch")
        if let starts = silence["starts"] as? Int64, let ends = silence["ends"] as? Int64 { #expect(ends - starts == 4 * 3_600_000) }

        // Refusals are pages that say why, with the refusal's status.
        let again = try support.send("POST", forA.action, form: ["csrf": support.csrf!])
        #expect(again.status == 409 && again.body.contains("anh Tuấn đã nhận xử lý sự cố này."), "\(again.status)")
        let badDuration = try support.send("POST", forB.action, form: ["csrf": support.csrf!, "for": "99y", "reason": "x"])
        #expect(badDuration.status == 400 && badDuration.body.contains("Thời gian tạm tắt không hợp lệ"), "\(badDuration.status)")
        let noReason = try support.send("POST", forB.action + "?lang=en", form: ["csrf": support.csrf!, "for": "1h"])
        #expect(noReason.status == 400 && noReason.body.contains("Please give the reason"), "\(noReason.status)")
        let unknown = try support.send("POST", "/incidents/Nothing%7Csite%3DX%4012/acknowledge", form: ["csrf": support.csrf!])
        #expect(unknown.status == 404 && unknown.body.contains("Không tìm thấy sự cố này."), "\(unknown.status)")
        let noToken = try support.send("POST", noteC.action, form: ["text": "x"])
        #expect(noToken.status == 403 && noToken.body.contains("mã CSRF"), "\(noToken.status) \(noToken.body)")
        let wrongToken = try support.send("POST", noteC.action, form: ["csrf": String(repeating: "0", count: 64), "text": "x"])
        #expect(wrongToken.status == 403 && wrongToken.body.contains("<h1>"), "\(wrongToken.status)")
        let signedOut = try Browser(collector).send("POST", noteC.action, form: ["csrf": support.csrf!, "text": "x"])
        #expect(signedOut.status == 303 && signedOut.headers["location"]?.hasPrefix("/login") == true, "\(signedOut.status)")
        let anonymous = try Browser(collector).send("GET", "/incidents?team=x")
        #expect(anonymous.status == 303 && anonymous.headers["location"] == "/login?next=%2Fincidents%3Fteam%3Dx", "\(anonymous.headers)")

        // A viewer and a planner see the list, no forms; their forged posts are refused and change nothing.
        for login in ["xem", "lan"] {
            let browser = Browser(collector)
            try #require(browser.signIn(login, staff.password(login)).status == 200)
            let seen = try browser.send("GET", "/incidents")
            #expect(seen.status == 200 && seen.body.contains("QNG-INC-C") && seen.body.contains("Điện lực báo 14:00 có điện"), "\(login)")
            #expect(!seen.body.contains("method=\"post\"") && !seen.body.contains("name=\"csrf\""), "\(login) sees no forms")
            let forged = try browser.send("POST", noteC.action.replacingOccurrences(of: "/note", with: "/acknowledge"), form: ["csrf": browser.csrf!])
            #expect(forged.status == 403 && forged.body.contains("chỉ được xem sự cố"), "\(login): \(forged.status) \(forged.body)")
        }
        #expect(try incidents("open").first { ($0["labels"] as? [String: String])?["site"] == "QNG-INC-C" }?["state"] as? String == "firing")

        // Filters by team and district (a GET form), the incident's own page with its history.
        let teamOne = try support.send("GET", "/incidents?team=%C4%90%E1%BB%99i+1")
        #expect(teamOne.body.contains("QNG-INC-A") && !teamOne.body.contains("QNG-INC-B"))
        let baTo = try support.send("GET", "/incidents?district=Ba+T%C6%A1&lang=en")
        #expect(baTo.body.contains("QNG-INC-C") && !baTo.body.contains("Xã Tịnh Hà") && baTo.body.contains("Acknowledge"))
        let detail = try support.send("GET", noteC.action.replacingOccurrences(of: "/note", with: ""))
        #expect(detail.status == 200 && detail.body.contains("Điện lực báo 14:00 có điện") && detail.body.contains("<b>ghi chú</b> · anh Tuấn"), "\(detail.status)")
        #expect(try support.send("GET", "/incidents/nothing").status == 404)

        // The line back: the incident moves to the resolved ones below.
        try pages.upload(collector, agents["QNG-INC-A"]!, [(pages.key("probe_path_up", ["path": "dedicated"]), [pages.point(1)])])
        #expect(delivery.waitFor(30) { (try? incidents("open"))?.contains { ($0["labels"] as? [String: String])?["site"] == "QNG-INC-A" } == false })
        let resolved = try support.send("GET", "/incidents")
        let below = resolved.body.components(separatedBy: "<table class=\"recent\">").dropFirst().first ?? ""
        #expect(section(resolved.body, team: "Đội 1") == nil && below.contains("QNG-INC-A") && !below.contains("QNG-INC-B"), "\(resolved.body)")
    }
}
