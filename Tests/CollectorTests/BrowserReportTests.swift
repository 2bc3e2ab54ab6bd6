import Foundation
import Testing
import TestSupport

/// The planner report in headless Chromium, as a planner uses it: signed in through the form, the
/// page at phone and desk widths, the CSV downloaded by clicking its link, the page printed to PDF.
@Suite(.ownThread) struct BrowserReportTests {
    @Test(.enabled(if: browserAvailable, "needs chromium, chromium-driver (scripts/setup-deps) and selenium in /opt/communewatch/peers-venv (scripts/setup-peers)"),
          .timeLimit(.minutes(10)))
    func aPlannerExportsAndPrintsTheDemoReport() async throws {
        let collector = try CollectorProcess()
        defer { collector.stop() }
        _ = try await addSmallDemo(to: collector)

        let scratch = scratchDirectory("browser-report")
        let passwordFile = try addStaff("hoa", name: "chị Hoa", role: "planner", password: "mật khẩu quy hoạch 2026", to: collector, in: scratch)

        // What the page costs the server the first time (a report is then kept five minutes).
        let timing = try run("/usr/bin/curl", ["-s", "-o", "/dev/null", "-D", "-", "-H", "Authorization: Bearer \(collector.adminToken)",
                                               "-w", "total %{time_total} s\n", collector.url + "/report"], timeout: 60)
        // The report as the API gives it (the admin token).
        let api = try collector.request("GET", "/api/v1/report", token: collector.adminToken)
        try #require(api.status == 200, "\(api.body)")
        let ranked = (api.json["sites"] as? [[String: Any]] ?? []).map { ($0["site"] as? [String: Any])?["code"] as? String ?? "" }
        let period = (api.json["period"] as? [String: Any])?["label"] as? String ?? ""
        #expect(ranked.count == 12 && ranked.allSatisfy { $0.hasPrefix("DEMO-") }, "\(ranked)")
        print("GET /report (12 demo sites, \(period)): " + timing.stdout.split(separator: "\r\n").filter { $0.lowercased().hasPrefix("server-timing") || $0.hasPrefix("total") }.joined(separator: "; "))

        let shots = scratch + "/screenshots"
        print("browser screenshots, download and PDF: \(shots)")
        let widths = [360, 1280]
        let started = Date()
        let browser = try await runAwaited(browserPython, [repositoryRoot.path + "/Tests/Peers/browser_peer.py",
                                              "--collector", collector.url, "--login", "hoa", "--password-file", passwordFile,
                                              "--out", shots, "--deadline", "180", "--page", "/report",
                                              "--download-link", "/report", "a#csv", "--print-pdf", "/report"]
                                             + widths.flatMap { ["--width", String($0)] },
                              timeout: 200)
        print("browser_peer: \(String(format: "%.1f", Date().timeIntervalSince(started))) s, exit \(browser.status)")
        try #require(browser.status == 0, "\(browser.stderr)")
        let report = try #require((try? JSONSerialization.jsonObject(with: Data(browser.stdout.utf8))) as? [String: Any], "\(browser.stdout)")
        #expect(report["signedIn"] as? Bool == true)

        for width in widths {
            guard let r = (report["results"] as? [[String: Any]] ?? []).first(where: { $0["width"] as? Int == width }) else {
                Issue.record("no result at \(width) px")
                continue
            }
            print("/report @\(width)px: HTTP \(r["status"] ?? "-"), \(r["bytes"] ?? 0) bytes, scrollWidth \(r["scrollWidth"] ?? 0), \(r["screenshot"] ?? "")")
            for box in r["sideways"] as? [[String: Any]] ?? [] {
                print("  scrolls sideways: \(box["box"] ?? "") holding \(box["holds"] ?? ""), \(box["scrollWidth"] ?? 0) px in \(box["clientWidth"] ?? 0) px")
            }
            #expect(r["status"] as? Int == 200 && r["title"] as? String == "Báo cáo · CommuneWatch", "a planner reads it: \(r)")
            #expect((r["outside"] as? [String])?.isEmpty == true, "asked outside the collector: \(r["outside"] ?? "")")
            if width == 360 { #expect(r["overflow"] as? Bool == false, "wider than a phone: scrollWidth \(r["scrollWidth"] ?? 0)") }
            let png = FileManager.default.contents(atPath: r["screenshot"] as? String ?? "") ?? Data()
            #expect(png.count > 1000 && png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        }

        // The CSV link, clicked: the file the browser saved, named after the period and area, in the ranking's order.
        let download = try #require((report["downloads"] as? [[String: Any]])?.first, "\(browser.stdout)")
        print("downloaded \(download["name"] ?? "") (\(download["bytes"] ?? 0) bytes) from \(download["href"] ?? "")")
        #expect(download["name"] as? String == "communewatch-report-\(period)-province.csv")
        let bytes = FileManager.default.contents(atPath: download["file"] as? String ?? "") ?? Data()
        #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF], "the byte order mark Excel needs")
        let lines = String(decoding: bytes.dropFirst(3), as: UTF8.self).split(separator: "\r\n").map(String.init)
        #expect(lines.first?.hasPrefix("rank,site,name,kind,district,province,") == true)
        // Demo names hold no comma or quote: the site is the second field.
        #expect(lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).dropFirst().first.map(String.init) ?? "" } == ranked,
                "the file's sites in the page's order")

        // Print to PDF: A4 landscape, the charts, then the ranking, then the formula, each from a new page.
        let pdf = try #require((report["pdfs"] as? [[String: Any]])?.first, "\(browser.stdout)")
        let pages = pdf["pages"] as? Int ?? 0
        print("printed \(pdf["file"] ?? ""): \(pdf["bytes"] ?? 0) bytes, \(pages) pages")
        #expect(pdf["isPDF"] as? Bool == true && (pdf["bytes"] as? Int ?? 0) > 10_000)
        #expect((3...10).contains(pages), "charts, 12 sites and the formula on 3 to 10 pages, not \(pages)")
        let file = FileManager.default.contents(atPath: pdf["file"] as? String ?? "") ?? Data()
        // A4 landscape is 842 × 595 points.
        #expect(String(decoding: file, as: UTF8.self).range(of: #"/MediaBox \[0 0 84[12](\.\d+)? 59[456](\.\d+)?\]"#, options: .regularExpression) != nil,
                "pages are A4 landscape")
    }
}
