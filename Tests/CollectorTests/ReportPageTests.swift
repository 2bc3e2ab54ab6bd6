import Deflate
import Foundation
import Testing
import TestSupport
import WatchModel

/// `GET /report`, `/report.csv` and `/api/v1/report` through a real collector, on data uploaded by
/// the real ingest whose figures and scores are worked out by hand below.
@Suite(.ownThread) struct ReportPageTests {
    let pages = PagesTests()
    let staff = StaffAccessTests()

    /// RFC 4180 records (quoted fields, doubled quotes, CRLF), enough for the report's CSV.
    func records(_ csv: String) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], field = "", quoted = false, previous: Character?
        for c in csv {
            if quoted {
                if c == "\"" { quoted = false } else { field.append(c) }
            } else if c == "\"" {
                if previous == "\"" { field.append("\"") }
                quoted = true
            } else if c == "," {
                row.append(field); field = ""
            } else if c == "\r\n" || c == "\n" {
                row.append(field); rows.append(row); row = []; field = ""
            } else {
                field.append(c)
            }
            previous = c
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }

    /// The `<tr data-site="CODE" …>…</tr>` row of the ranked table and the breakdown row after it.
    func row(_ html: String, _ code: String) -> String {
        guard let start = html.range(of: "<tr data-site=\"\(code)\"") else { return "" }
        let rest = html[start.upperBound...]
        let end = rest.range(of: "<tr data-site=")?.lowerBound ?? rest.range(of: "</tbody></table></div></section>")?.lowerBound ?? rest.endIndex
        return String(html[start.lowerBound..<end])
    }

    @Test func thePageRanksExportsAndRefusesAsItShould() throws {
        let collector = try CollectorProcess()
        defer { collector.stop() }
        let cut = try pages.agent(collector, ["code": "QNG-CUT", "name": "Xã Sơn Tây, huyện \"miền núi\"", "district": "Sơn Tây"])
        let steady = try pages.agent(collector, ["code": "QNG-OK", "name": "Phường Trương Quang Trọng", "district": "Ba Tơ"])
        _ = try pages.agent(collector, ["code": "QNG-NONE", "name": "Xã Ba Vì", "district": "Ba Tơ"])
        // One hour, one result a minute. QNG-CUT's line is down in minutes 20–34 (one cut of 15
        // minutes), RTT 100 ms when up; QNG-OK's line never goes down, RTT 40 ms. QNG-NONE sends nothing.
        let start = (WallClock.nowMs() - 3 * 3_600_000) / 3_600_000 * 3_600_000
        func minutes(_ value: (Int) -> Double?) -> [WirePoint] {
            (0..<60).compactMap { m in value(m).map { WirePoint(timestamp: start + TimestampMs(m) * 60_000 + 1_000, value: $0) } }
        }
        let down = 20..<35
        try pages.upload(collector, cut, [
            (pages.key("probe_path_up", ["path": "dedicated"]), minutes { down.contains($0) ? 0 : 1 }),
            (pages.key("probe_icmp_rtt_median_seconds", ["path": "dedicated", "probe": "district node"]), minutes { down.contains($0) ? nil : 0.1 }),
        ])
        try pages.upload(collector, steady, [
            (pages.key("probe_path_up", ["path": "dedicated"]), minutes { _ in 1 }),
            (pages.key("probe_icmp_rtt_median_seconds", ["path": "dedicated", "probe": "district node"]), minutes { _ in 0.04 }),
        ])
        // The calendar month (Vietnam's time) holding that hour: a month starts at 17:00 UTC, so the hour is wholly in it.
        let local = Date(timeIntervalSince1970: Double(start) / 1000 + 7 * 3600)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let period = String(format: "%04d-%02d", calendar.component(.year, from: local), calendar.component(.month, from: local))

        try staff.addStaff(collector)
        var browsers: [String: Browser] = [:]
        for login in ["xem", "tuan", "lan", "quan"] {
            let browser = Browser(collector)
            #expect(try browser.signIn(login, staff.password(login)).status == 200)
            browsers[login] = browser
        }
        let planner = browsers["lan"]!

        // The ranking and figures, by hand (docs/report.md):
        //   QNG-CUT: 45 of 60 minutes up → availability 75.00 %, sub-score (0.25 / 0.05) → 1, weight 25;
        //     1 outage in 60 minutes = 720 per 30 days, / 10 → 1, weight 10; RTT p95 100 ms → (0.1 − 0.05) / 0.25 = 0.2,
        //     weight 10; nothing else has data: 45 weight points, coverage 45 %.
        //     Points 100 × 25 × 1 / 45 = 55.6, 100 × 10 × 1 / 45 = 22.2, 100 × 10 × 0.2 / 45 = 4.4; score 3700 / 45 = 82.2.
        //   QNG-OK: 100 %, no outage, RTT 40 ms (below 50 ms → 0): score 0.0, rank 2.
        //   QNG-NONE: no data, no score, no rank, last.
        let page = try planner.send("GET", "/report?period=\(period)&lang=en")
        #expect(page.status == 200, "\(page.body)")
        #expect(page.headers["content-type"] == "text/html; charset=utf-8")
        let html = page.body
        let order = ["QNG-CUT", "QNG-OK", "QNG-NONE"].compactMap { html.range(of: "<tr data-site=\"\($0)\"")?.lowerBound }
        #expect(order.count == 3 && order == order.sorted(), "ranked CUT, OK, then NONE")
        let first = row(html, "QNG-CUT")
        #expect(first.contains("data-rank=\"1\"") && first.contains("<b data-score>82.2</b>"), "\(first)")
        #expect(first.contains("<td class=\"n\" data-availability>75.00 %</td>") && first.contains("data-outages>1<br><small>15 min</small>"), "\(first)")
        #expect(first.contains("100 ms") && first.contains("data 45 %"), "\(first)")
        for (component, weight, points) in [("line_availability", "25", "55.6"), ("outages", "10", "22.2"), ("latency", "10", "4.4")] {
            #expect(first.contains("<tr data-component=\"\(component)\">") && first.contains("<td class=\"n\">\(weight)</td><td class=\"n\" data-points>\(points)</td>"),
                    "\(component): weight \(weight), \(points) points")
        }
        #expect(first.contains("Points: <span"), "the breakdown's summary line is there without opening it")
        let second = row(html, "QNG-OK")
        #expect(second.contains("data-rank=\"2\"") && second.contains("<b data-score>0.0</b>") && second.contains("data-availability>100.00 %<"), "\(second)")
        let last = row(html, "QNG-NONE")
        #expect(last.contains("data-rank=\"\"") && last.contains("<b data-score>–</b>") && last.contains("No data: no score."), "\(last)")
        // The charts, the exports, the formula with the weights in use, the nav link.
        #expect(html.contains("aria-label=\"Score by component\"") && html.contains("aria-label=\"Line availability distribution\""))
        #expect(html.contains("href=\"/report.csv?period=\(period)\"") && html.contains("id=\"formula\"") && html.contains("<tr data-weight=\"pc_age\">"))
        #expect(html.contains("<a href=\"/report\">Report</a>"))

        // The same ranking as the command line's on the same database.
        let table = try run(try collectorBinary(), ["report", "--period", period] + collector.storeOptions)
        let lines = table.stdout.split(separator: "\n").map(String.init)
        #expect(table.status == 0 && lines.count == 5, "\(table.stdout)\(table.stderr)")
        #expect(lines.count == 5 && lines[2].hasPrefix("1  QNG-CUT") && lines[2].contains("82.2") && lines[3].hasPrefix("2  QNG-OK"), "\(table.stdout)")

        // With nothing chosen: the month of the data (the last full month has none unless the hour is in it).
        let plain = try planner.send("GET", "/report")
        #expect(plain.status == 200 && plain.body.contains("data-period=\"\(period)\""), "default period")
        #expect(plain.body.contains("Báo cáo ưu tiên nâng cấp"), "Vietnamese by default")

        // The CSV of one district: the download headers, the BOM Excel needs, the same figures.
        let csv = try planner.send("GET", "/report.csv?period=\(period)&district=S%C6%A1n+T%C3%A2y")
        #expect(csv.status == 200, "\(csv.body)")
        #expect(csv.headers["content-type"] == "text/csv; charset=utf-8")
        #expect(csv.headers["content-disposition"] == "attachment; filename=\"communewatch-report-\(period)-son-tay.csv\"")
        #expect(csv.body.unicodeScalars.first == "\u{FEFF}", "starts with a byte order mark")
        let one = records(String(csv.body.unicodeScalars.dropFirst()))
        #expect(one.count == 2 && one.first?.first == "rank", "\(csv.body)")
        if one.count == 2 {
            let header = one[0], values = one[1]
            func value(_ name: String) -> String { header.firstIndex(of: name).map { values[$0] } ?? "?" }
            #expect(values.count == header.count)
            #expect(value("rank") == "1" && value("site") == "QNG-CUT" && value("name") == "Xã Sơn Tây, huyện \"miền núi\"" && value("district") == "Sơn Tây")
            #expect(abs((Double(value("score")) ?? 0) - 3700.0 / 45) < 1e-6, "score \(value("score"))")
            #expect(value("line_availability") == "0.75" && value("outage_count") == "1" && value("outage_minutes") == "15")
            #expect(value("line_measured_minutes") == "60" && value("hours_on_4g") == "" && value("loss_mean") == "", "missing is empty, not 0")
            #expect(abs((Double(value("latency_points")) ?? 0) - 1000.0 * 0.2 / 45) < 1e-6 && value("latency_weight") == "10")
        }
        let province = try planner.send("GET", "/report.csv?period=\(period)")
        #expect(province.headers["content-disposition"] == "attachment; filename=\"communewatch-report-\(period)-province.csv\"")
        #expect(records(String(province.body.unicodeScalars.dropFirst())).map { $0.prefix(2) } == [["rank", "site"], ["1", "QNG-CUT"], ["2", "QNG-OK"], ["", "QNG-NONE"]])

        // JSON for scripts: the admin token, or a planner's session.
        let api = try collector.request("GET", "/api/v1/report?period=\(period)", token: collector.adminToken)
        #expect(api.status == 200, "\(api.body)")
        let sites = api.json["sites"] as? [[String: Any]] ?? []
        #expect(sites.map { ($0["site"] as? [String: Any])?["code"] as? String ?? "" } == ["QNG-CUT", "QNG-OK", "QNG-NONE"])
        #expect(abs((sites.first?["score"] as? Double ?? 0) - 3700.0 / 45) < 1e-6)

        // Roles: planner and admin read it; viewer and support get a 403 page that says who may.
        #expect(try browsers["quan"]!.send("GET", "/report?period=\(period)").status == 200)
        for login in ["xem", "tuan"] {
            let refused = try browsers[login]!.send("GET", "/report?period=\(period)&lang=en")
            #expect(refused.status == 403 && refused.body.contains("for the <b>planner</b> and <b>admin</b> roles only"), "\(login): \(refused.status)")
            #expect(!refused.body.contains("QNG-CUT"), "\(login) sees no figure")
            #expect(try browsers[login]!.send("GET", "/report.csv?period=\(period)").status == 403)
            let json = try browsers[login]!.send("GET", "/api/v1/report?period=\(period)")
            #expect(json.status == 403 && (json.json["error"] as? String ?? "").contains("may not read reports"), "\(json.body)")
        }
        let stranger = Browser(collector)
        let toLogin = try stranger.send("GET", "/report?period=\(period)", headers: ["Accept: text/html"])
        #expect(toLogin.status == 303 && toLogin.headers["location"]?.hasPrefix("/login?next=") == true)
        #expect(try stranger.send("GET", "/api/v1/report").status == 401)

        // A bad query: a clear message on the page, 400, and the form to choose again.
        let badPeriod = try planner.send("GET", "/report?period=2026-13&lang=en")
        #expect(badPeriod.status == 400 && badPeriod.body.contains("the period &#39;2026-13&#39; is not YYYY-MM (month), YYYY-Qn (quarter) or YYYY (year)"), "\(badPeriod.body)")
        #expect(badPeriod.body.contains("<form class=\"filters\" method=\"get\" action=\"/report\">"))
        let badDistrict = try planner.send("GET", "/report?period=\(period)&district=Nowhere")
        #expect(badDistrict.status == 400 && badDistrict.body.contains("Không có huyện &quot;Nowhere&quot; trong danh sách điểm."), "\(badDistrict.body)")
        #expect(try planner.send("GET", "/report.csv?period=Q3").status == 400)
        let badAPI = try collector.request("GET", "/api/v1/report?period=soon", token: collector.adminToken)
        #expect(badAPI.status == 400 && (badAPI.json["error"] as? String ?? "").contains("the period 'soon' is not"), "\(badAPI.body)")
    }
}
