import Deflate
import Foundation
import Testing
import TestSupport
import WatchModel

/// The pages served by the collector, through a real collector and data uploaded by the real ingest.
@Suite(.serialized, .ownThread) struct PagesTests {
    /// An agent of a new site with these registry fields: its bearer token.
    func agent(_ collector: CollectorProcess, _ site: [String: Any]) throws -> String {
        let created = try collector.json("POST", "/api/v1/admin/sites", token: collector.adminToken, site)
        guard created.status == 201 else { throw PeerError("site: \(created.status) \(created.body)") }
        let token = try collector.json("POST", "/api/v1/admin/tokens", token: collector.adminToken, ["site": site["code"] as! String])
        let enrolled = try collector.json("POST", "/api/v1/enroll", ["token": token.json["token"] as? String ?? "", "hostname": "pc"])
        guard enrolled.status == 201 else { throw PeerError("enroll: \(enrolled.status) \(enrolled.body)") }
        return "\(enrolled.json["agent_id"] as? String ?? ""):\(enrolled.json["secret"] as? String ?? "")"
    }

    /// One upload through `/api/v1/ingest` of these series (labels → points), and events.
    func upload(_ collector: CollectorProcess, _ agent: String, _ series: [(SeriesKey, [WirePoint])], events: [Event] = [], path: String = "dedicated") throws {
        let definitions = series.enumerated().map { SeriesDefinition(id: Int64($0.offset + 1), key: $0.element.0) }
        let wire = series.enumerated().map { WireSeries(id: Int64($0.offset + 1), points: $0.element.1) }
        let id = (0..<16).map { _ in UInt8.random(in: 0...255) }
        let body = Deflate.compress(WireBatch(id: id, agentTime: WallClock.nowMs(), clockSynced: true, path: path, site: "",
                                              catalog: UInt64.random(in: 1...UInt64.max), definitions: definitions, series: wire, events: events).encoded())
        let reply = try collector.request("POST", "/api/v1/ingest", token: agent, body: body, headers: ["Content-Encoding: deflate"])
        guard reply.status == 200 else { throw PeerError("ingest: \(reply.status) \(reply.body)") }
    }

    func query(_ value: String) -> String { value.addingPercentEncoding(withAllowedCharacters: .alphanumerics)! }

    func key(_ metric: String, _ labels: [String: String]) -> SeriesKey { SeriesKey(metric, labels) }
    func point(_ value: Double, minutesAgo: Double = 0) -> WirePoint {
        WirePoint(timestamp: WallClock.nowMs() - Int64(minutesAgo * 60_000), value: value)
    }

    func rules() throws -> String {
        let dir = scratchDirectory("page-rules")
        try """
            groups:
              - name: line
                rules:
                  - alert: DedicatedLineDown
                    expr: 'last_over_time(probe_path_up{path="dedicated"}[2m]) < 1'
                    resolve: 1
                    severity: critical
                    annotations:
                      summary_vi: "Mất đường truyền chuyên dùng tại {{site}}"
                      summary_en: "Dedicated line down at {{site}}"
                  - alert: HighLatency
                    expr: 'avg_over_time(probe_icmp_rtt_median_seconds{path="dedicated"}[5m]) > 0.15'
                    severity: warning
                    annotations:
                      summary_vi: "Độ trễ cao tại {{site}}"
                      summary_en: "High latency at {{site}}"
            """.write(toFile: dir + "/rules.yml", atomically: true, encoding: .utf8)
        return dir
    }

    /// The `<tr data-site="CODE">…</tr>` row of the overview.
    func row(_ html: String, _ code: String) -> String? {
        guard let start = html.range(of: "<tr data-site=\"\(code)\">") else { return nil }
        guard let end = html.range(of: "</tr>", range: start.upperBound..<html.endIndex) else { return nil }
        return String(html[start.lowerBound..<end.upperBound])
    }

    /// Every `src=` / `href=` / `url(` that leaves the collector.
    func outside(_ html: String) -> [String] {
        let pattern = try! NSRegularExpression(pattern: "(src|href|action)\\s*=\\s*[\"']?\\s*(https?:)?//|url\\(\\s*[\"']?(https?:)?//", options: [.caseInsensitive])
        return pattern.matches(in: html, range: NSRange(html.startIndex..., in: html)).map { (html as NSString).substring(with: $0.range) }
    }

    func waitFor(_ seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while try !condition() && Date() < deadline { Thread.sleep(forTimeInterval: 0.2) }
        return try condition()
    }

    @Test func overviewShowsEverySiteStateFiltersAndLanguages() throws {
        let collector = try CollectorProcess(options: ["--alert-rules", try rules()])
        defer { collector.stop() }
        let line = ["path": "dedicated", "probe": "gw", "kind": "icmp", "target": "10.0.0.1"]
        func pathUp(_ path: String) -> SeriesKey { key("probe_path_up", ["path": path, "probe": "paths", "kind": "icmp", "target": ""]) }

        let ok = try agent(collector, ["code": "QNG-OK", "name": "Xã <b>An</b> & Hòa", "district": "Huyện A", "team": "Đội 1", "latitude": 15.1, "longitude": 108.8])
        try upload(collector, ok, [(pathUp("dedicated"), [point(1)]), (key("probe_icmp_rtt_median_seconds", line), [point(0.023)]),
                                   (key("probe_icmp_loss_ratio", line), [point(0.02)])])
        let onBackup = try agent(collector, ["code": "QNG-4G", "name": "Xã Bốn Gờ", "district": "Huyện B", "team": "Đội 2", "latitude": 14.9, "longitude": 108.6])
        try upload(collector, onBackup, [(pathUp("dedicated"), [point(0)]), (pathUp("4g"), [point(1)])], path: "4g")
        let dark = try agent(collector, ["code": "QNG-DARK", "name": "Xã Tối", "district": "Huyện B", "team": "Đội 2", "latitude": 15.0, "longitude": 108.9])
        try upload(collector, dark, [(pathUp("dedicated"), [point(1, minutesAgo: 30)])])
        let slow = try agent(collector, ["code": "QNG-SLOW", "name": "Xã Chậm", "district": "Huyện A", "team": "Đội 1", "latitude": 15.2, "longitude": 108.7])
        try upload(collector, slow, [(pathUp("dedicated"), [point(1)]), (key("probe_icmp_rtt_median_seconds", line), [point(0.4)])])
        let maintained = try agent(collector, ["code": "QNG-MAINT", "name": "Xã Bảo Trì", "district": "Huyện A", "team": "Đội 1"])
        try upload(collector, maintained, [(pathUp("dedicated"), [point(0)])])
        let silence = try collector.json("POST", "/api/v1/silences", token: collector.adminToken,
                                         ["matchers": ["site": "QNG-MAINT"], "minutes": 120, "by": "chị Lan", "comment": "cắt điện"])
        #expect(silence.status == 201, "\(silence.body)")
        _ = try agent(collector, ["code": "QNG-NEW", "name": "Xã Mới", "district": "Huyện B", "team": "Đội 2"])

        // Nobody signed in: sent to the sign-in page.
        #expect(try collector.request("GET", "/", headers: ["Accept: text/html"]).status == 303)
        #expect(try collector.request("GET", "/sites/QNG-OK").status == 303)

        let expected = ["QNG-OK": "ok", "QNG-4G": "line_down_on_4g", "QNG-DARK": "dark", "QNG-SLOW": "degraded", "QNG-MAINT": "maintenance", "QNG-NEW": "unknown"]
        var page = try collector.request("GET", "/", token: collector.adminToken)
        #expect(try waitFor(10) {
            page = try collector.request("GET", "/", token: collector.adminToken)
            return expected.allSatisfy { row(page.body, $0.key)?.contains("dot s-\($0.value)\"") == true }
        }, "states: \(expected.keys.sorted().map { "\($0): \(row(page.body, $0) ?? "no row")" })")
        #expect(page.status == 200)
        let vi = page.body
        #expect(vi.contains("<html lang=\"vi\"") && vi.contains("Tổng quan tỉnh") && vi.contains("Mất đường truyền, chạy 4G") && vi.contains("Đang bảo trì"))
        #expect(vi.contains("Xã &lt;b&gt;An&lt;/b&gt; &amp; Hòa") && !vi.contains("<b>An</b>"), "the site's name is escaped")
        #expect(row(vi, "QNG-OK")?.contains("23 ms") == true && row(vi, "QNG-OK")?.contains("2,0 %") == true, "\(row(vi, "QNG-OK") ?? "")")
        #expect(vi.contains("data-state=\"dark\"><span class=\"dot s-dark\"></span>Mất liên lạc: <b>1</b>"), "counts per state")
        #expect(vi.contains("<circle class=\"s-line_down_on_4g\"") && vi.contains("<a href=\"/sites/QNG-OK\"><circle class=\"s-ok\""), "the map")
        #expect(outside(vi).isEmpty, "\(outside(vi))")

        // English, remembered by a cookie.
        let en = try run("/usr/bin/curl", ["-s", "-D", "-", "-H", "Authorization: Bearer \(collector.adminToken)", collector.url + "/?lang=en"], timeout: 30).stdout
        #expect(en.contains("<html lang=\"en\"") && en.contains("Province overview") && en.contains("Line down, on 4G") && en.contains("In maintenance"))
        #expect(en.lowercased().contains("set-cookie: communewatch_lang=en"))
        let remembered = try collector.request("GET", "/", token: collector.adminToken, headers: ["Cookie: communewatch_lang=en"])
        #expect(remembered.body.contains("Province overview") && remembered.body.contains("2.0 %"))

        // Filters: a district, a team, a state.
        // As the form sends it: a space is '+'.
        let district = try collector.request("GET", "/?district=" + query("Huyện").replacingOccurrences(of: "%20", with: "") + "+B&team=&state=", token: collector.adminToken)
        #expect(row(district.body, "QNG-4G") != nil && row(district.body, "QNG-DARK") != nil && row(district.body, "QNG-OK") == nil)
        #expect(district.body.contains("<option value=\"Huyện B\" selected>"), "the form keeps the choice")
        let team = try collector.request("GET", "/?team=" + query("Đội 1") + "&state=degraded", token: collector.adminToken)
        #expect(row(team.body, "QNG-SLOW") != nil && row(team.body, "QNG-OK") == nil && row(team.body, "QNG-4G") == nil)
        let darkOnly = try collector.request("GET", "/?state=dark&lang=en", token: collector.adminToken)
        #expect(row(darkOnly.body, "QNG-DARK") != nil && row(darkOnly.body, "QNG-MAINT") == nil && darkOnly.body.contains("Dark"))
        #expect(try collector.request("GET", "/?state=nonsense", token: collector.adminToken).body.contains("Trạng thái không hợp lệ"))

        // Compressed for a phone on 3G, and the stylesheet cached.
        let headers = try run("/usr/bin/curl", ["-s", "-o", "/dev/null", "-D", "-", "-H", "Accept-Encoding: gzip", "-H", "Authorization: Bearer \(collector.adminToken)", collector.url + "/"], timeout: 30).stdout.lowercased()
        #expect(headers.contains("content-encoding: gzip"))
        let unpacked = try run("/usr/bin/curl", ["-s", "--compressed", "-H", "Authorization: Bearer \(collector.adminToken)", collector.url + "/"], timeout: 30).stdout
        #expect(unpacked.contains("Xã Bốn Gờ"), "the gzip body unpacks")
        let css = try run("/usr/bin/curl", ["-s", "-D", "-", collector.url + "/assets/app.css?v=1"], timeout: 30).stdout.lowercased()
        #expect(css.contains("cache-control: public, max-age=86400") && css.contains("@media"))
    }

    @Test func sitePageShowsLineBackupPortalsInventoryAndIncidents() throws {
        let collector = try CollectorProcess(options: ["--alert-rules", try rules()])
        defer { collector.stop() }
        let code = "QNG-SITE"
        let agent = try agent(collector, ["code": code, "name": "Xã <i>Tịnh</i> Khê", "district": "Sơn Tịnh", "team": "Đội 1"])
        let line = ["path": "dedicated", "probe": "gateway", "kind": "icmp", "target": "10.0.0.1"]
        let minutes = Array(stride(from: 60.0, through: 1, by: -1))
        let pathUpKey = key("probe_path_up", ["path": "dedicated", "probe": "paths", "kind": "icmp", "target": ""])
        // Up for an hour, except three minutes half an hour ago; down again now (so an incident is open).
        let pathPoints = minutes.map { point(($0 >= 30 && $0 < 33) ? 0 : 1, minutesAgo: $0) } + [point(0, minutesAgo: 0.1)]
        let http = ["path": "dedicated", "probe": "dichvucong", "kind": "http", "target": "https://dichvucong.gov.vn/"]
        var series: [(SeriesKey, [WirePoint])] = [
            (pathUpKey, pathPoints),
            (key("probe_icmp_rtt_median_seconds", line), minutes.map { point(0.025 + ($0 < 10 ? 0.02 : 0), minutesAgo: $0) }),
            (key("probe_icmp_rtt_min_seconds", line), minutes.map { point(0.020, minutesAgo: $0) }),
            (key("probe_icmp_rtt_max_seconds", line), minutes.map { point(0.060, minutesAgo: $0) }),
            (key("probe_icmp_loss_ratio", line), minutes.map { point(($0 >= 15 && $0 < 25) ? 0.1 : 0, minutesAgo: $0) }),
            (key("probe_path_up", ["path": "4g", "probe": "paths", "kind": "icmp", "target": ""]), [point(1, minutesAgo: 0.1)]),
            (key("probe_modem_rsrp_dbm", ["path": "4g", "probe": "modem", "kind": "modem", "target": "wwan0"]), [point(-97)]),
            (key("probe_modem_snr_db", ["path": "4g", "probe": "modem", "kind": "modem", "target": "wwan0"]), [point(12.5)]),
            (key("probe_modem_cell_id", ["path": "4g", "probe": "modem", "kind": "modem", "target": "wwan0"]), [point(45_678_901)]),
            (key("probe_http_total_seconds", http), [point(1.234)]),
            (key("probe_success", http), [point(1)]),
        ]
        for (phase, seconds) in [("resolve", 0.012), ("connect", 0.045), ("tls", 0.210), ("processing", 0.870), ("transfer", 0.097)] {
            series.append((key("probe_http_duration_seconds", http.merging(["phase": phase]) { a, _ in a }), [point(seconds)]))
        }
        let inventory = Event(kind: Event.inventory, timestamp: WallClock.nowMs() - 3_600_000, labels: [:], text: "",
                              document: #"{"hostname":"UBND-TK-01","cpu_model":"Intel(R) Core(TM) i3-2120 CPU @ 3.30GHz","cpu_cores":4,"mem_total":4294967296,"disks":[{"mount":"/","size":500000000000,"free":100000000000}],"os_pretty_name":"Windows 7 Professional"}"#)
        let change = Event(kind: Event.configChanged, timestamp: WallClock.nowMs() - 600_000, labels: [:], text: "probe list: +dichvucong")
        try upload(collector, agent, series, events: [inventory, change])

        var page = try collector.request("GET", "/sites/\(code)", token: collector.adminToken)
        #expect(try waitFor(10) {
            page = try collector.request("GET", "/sites/\(code)", token: collector.adminToken)
            return page.body.contains("Mất đường truyền chuyên dùng tại QNG-SITE")
        }, "the open incident: \(page.body.suffix(1500))")
        let vi = page.body
        #expect(page.status == 200 && vi.contains("Xã &lt;i&gt;Tịnh&lt;/i&gt; Khê") && !vi.contains("<i>Tịnh</i>"))
        #expect(vi.contains("dot s-line_down_on_4g") && vi.contains("Sơn Tịnh"))
        #expect(vi.contains("<svg") && vi.contains("gateway") && vi.contains("fill=\"#e06a00\""), "the chart shows the ten minutes with 10 % loss in orange")
        #expect(vi.contains("-97 dBm") && vi.contains("12,5 dB") && vi.contains("45678901"), "4G signal and serving cell")
        #expect(vi.contains("dichvucong") && vi.contains("870 ms") && vi.contains("210 ms") && vi.contains("1234 ms"), "portal timings by phase")
        #expect(vi.contains("UBND-TK-01") && vi.contains("i3-2120") && vi.contains("4,0 GiB") && vi.contains("probe list: +dichvucong"), "inventory and changes")
        #expect(vi.contains(">3 phút</td>"), "the three-minute outage in the timeline: \(vi.components(separatedBy: "Mất kết nối").dropFirst().first?.prefix(1200) ?? "")")
        #expect(outside(vi).isEmpty, "\(outside(vi))")

        let en = try collector.request("GET", "/sites/\(code)?lang=en&range=7d", token: collector.adminToken)
        #expect(en.status == 200 && en.body.contains("Dedicated line: latency and loss") && en.body.contains("12.5 dB") && en.body.contains("Open incidents (1)"))
        // The incident's summary is written in the collector's alert language (vi) when it fires; the rule names it in any language.
        #expect(en.body.contains("DedicatedLineDown · critical"), "\(en.body.components(separatedBy: "Open incidents").last?.prefix(800) ?? "")")
        #expect(en.body.contains(">3 min</td>") && en.body.contains("<b>7d</b>"))
        #expect(try collector.request("GET", "/sites/\(code)?range=30d", token: collector.adminToken).status == 200)

        let missing = try collector.request("GET", "/sites/QNG-NOPE", token: collector.adminToken)
        #expect(missing.status == 404 && missing.body.contains("Không tìm thấy") && missing.body.contains("QNG-NOPE"))
        let missingEn = try collector.request("GET", "/sites/%3Cscript%3E?lang=en", token: collector.adminToken)
        #expect(missingEn.status == 404 && missingEn.body.contains("Not found") && !missingEn.body.contains("<script>"))
    }

    @Test func portalsPageTellsAPortalProblemFromALastMileProblem() throws {
        let collector = try CollectorProcess()
        defer { collector.stop() }
        let national = "https://dichvucong.gov.vn/", province = "https://dichvucong.quangngai.gov.vn/"
        func http(_ target: String, _ probe: String) -> [String: String] { ["path": "dedicated", "probe": probe, "kind": "http", "target": target] }
        // The national portal is slow from three of four sites; the provincial one only from the fourth.
        for (i, code) in ["QNG-P1", "QNG-P2", "QNG-P3", "QNG-P4"].enumerated() {
            let agent = try agent(collector, ["code": code, "name": "Xã Cổng \(i + 1)", "district": "Huyện A"])
            let nationalSeconds = i < 3 ? 7.5 : 0.8
            let provinceSeconds = i == 3 ? 9.0 : 0.4
            let times = Array(stride(from: 50.0, through: 5, by: -5))
            try upload(collector, agent, [
                (key("probe_http_total_seconds", http(national, "quocgia")), times.map { point(nationalSeconds, minutesAgo: $0) }),
                (key("probe_success", http(national, "quocgia")), times.map { point(1, minutesAgo: $0) }),
                (key("probe_http_total_seconds", http(province, "tinh")), times.map { point(provinceSeconds, minutesAgo: $0) }),
                (key("probe_success", http(province, "tinh")), times.map { point(i == 3 && $0 < 20 ? 0 : 1, minutesAgo: $0) }),
            ])
        }
        let page = try collector.request("GET", "/portals", token: collector.adminToken)
        #expect(page.status == 200 && page.body.contains("Cổng dịch vụ công"))
        func portalRow(_ target: String) -> String {
            guard let start = page.body.range(of: "<tr data-portal=\"\(target)\">"), let end = page.body.range(of: "</tr>", range: start.upperBound..<page.body.endIndex) else { return "" }
            return String(page.body[start.lowerBound..<end.upperBound])
        }
        #expect(portalRow(national).contains("data-verdict=\"portal\"") && portalRow(national).contains("3/4"), "\(portalRow(national))")
        #expect(portalRow(province).contains("data-verdict=\"last-mile\"") && portalRow(province).contains("Xã Cổng 4")
                && !portalRow(province).contains("Xã Cổng 1"), "\(portalRow(province))")
        #expect(portalRow(province).contains(">4</td>") && portalRow(province).contains("92,5 %"), "four sites measure it, 37 of 40 tries reached it")
        #expect(outside(page.body).isEmpty)
        let en = try collector.request("GET", "/portals?lang=en", token: collector.adminToken)
        #expect(en.body.contains("Government portals") && en.body.contains("the portal") && en.body.contains("last mile of"))
    }
}
