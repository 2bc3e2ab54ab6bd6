import Foundation
import Testing
import TestSupport

/// The incidents page in headless Chromium: the demo's live incidents (lines cut as its history
/// ends) raised by the shipped rules, seen by a support team member signed in through the form at
/// phone and desk widths, who acknowledges one with the page's button and sees it taken.
@Suite(.ownThread) struct BrowserIncidentsTests {
    @Test(.enabled(if: browserAvailable, "needs chromium, chromium-driver (scripts/setup-deps) and selenium in /opt/communewatch/peers-venv (scripts/setup-peers)"),
          .timeLimit(.minutes(10)))
    func aSupportMemberAcknowledgesADemoIncidentInARealBrowser() async throws {
        // The shipped rules, alone in a directory (the routing example beside them is not a rule file).
        let rules = scratchDirectory("browser-rules")
        try FileManager.default.copyItem(atPath: repositoryRoot.path + "/alerts/rules.yml", toPath: rules + "/rules.yml")
        let collector = try CollectorProcess(options: ["--alert-rules", rules])
        defer { collector.stop() }
        let demoOutput = try await addSmallDemo(to: collector)
        let cut = demoOutput.split(separator: "\n").filter { $0.hasPrefix("demo: line down now") || $0.hasPrefix("demo: dark now") }
            .flatMap { $0.split(separator: " ").filter { $0.hasPrefix("DEMO-") }.map { String($0.trimmingCharacters(in: .punctuationCharacters)) } }
        #expect(cut.count == 3, "two lines cut and one dark site among 12: \(demoOutput)")

        // The collector's own evaluator raises them from what the demo uploaded.
        func lineDown() throws -> [[String: Any]] {
            let open = try collector.request("GET", "/api/v1/incidents", token: collector.adminToken).json["incidents"] as? [[String: Any]] ?? []
            return open.filter { $0["alert"] as? String == "DedicatedLineDown" }
        }
        let deadline = Date().addingTimeInterval(30)
        while try lineDown().count < cut.count, Date() < deadline { try await Task.sleep(for: .milliseconds(500)) }
        let firing = try lineDown()
        #expect(Set(firing.compactMap { ($0["labels"] as? [String: String])?["site"] }) == Set(cut), "\(firing)")
        #expect(firing.allSatisfy { (($0["labels"] as? [String: String])?["site"] ?? "").hasPrefix("DEMO-") }, "labelled demo")

        let scratch = scratchDirectory("browser-incidents")
        let passwordFile = try addStaff("tuan", name: "anh Tuấn", role: "support", password: "mật khẩu tổ hỗ trợ 2026", to: collector, in: scratch)

        let shots = scratch + "/screenshots"
        print("browser screenshots: \(shots)")
        let started = Date()
        let browser = try await runAwaited(browserPython, [repositoryRoot.path + "/Tests/Peers/browser_peer.py",
                                              "--collector", collector.url, "--login", "tuan", "--password-file", passwordFile,
                                              "--out", shots, "--deadline", "180", "--page", "/incidents?lang=en", "--page", "/incidents?lang=vi",
                                              "--width", "360", "--width", "1280",
                                              "--click", "/incidents", "article[data-state=firing] form.ack button", "--click-width", "360"],
                              timeout: 200)
        print("browser_peer: \(String(format: "%.1f", Date().timeIntervalSince(started))) s, exit \(browser.status)")
        try #require(browser.status == 0, "\(browser.stderr)")
        let report = try #require((try? JSONSerialization.jsonObject(with: Data(browser.stdout.utf8))) as? [String: Any], "\(browser.stdout)")
        #expect(report["signedIn"] as? Bool == true)

        // English first (remembered by its cookie), then back to Vietnamese for the button.
        for r in report["results"] as? [[String: Any]] ?? [] {
            let width = r["width"] as? Int ?? 0, page = r["page"] as? String ?? ""
            print("\(page) @\(width)px: HTTP \(r["status"] ?? "-"), \"\(r["title"] ?? "")\", \(r["bytes"] ?? 0) bytes, "
                  + "scrollWidth \(r["scrollWidth"] ?? 0) / innerWidth \(r["innerWidth"] ?? 0), \(r["screenshot"] ?? "")")
            #expect(r["status"] as? Int == 200 && r["title"] as? String == (page.hasSuffix("en") ? "Incidents" : "Sự cố") + " · CommuneWatch", "\(r)")
            #expect((r["url"] as? String)?.hasPrefix(collector.url + "/incidents") == true, "stayed signed in: \(r["url"] ?? "")")
            #expect((r["outside"] as? [String])?.isEmpty == true, "asked outside the collector: \(r["outside"] ?? "")")
            if width == 360 { #expect(r["overflow"] as? Bool == false && r["innerWidth"] as? Int == 360, "wider than a phone: \(r)") }
            let png = FileManager.default.contents(atPath: r["screenshot"] as? String ?? "") ?? Data()
            #expect(png.count > 1000 && png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "screenshot: \(png.count) bytes")
        }
        #expect((report["results"] as? [Any])?.count == 4)

        // The button: the form is sent, the list comes back saying so, the incident now taken by this person.
        let click = try #require((report["clicks"] as? [[String: Any]])?.first, "\(browser.stdout)")
        let before = click["before"] as? [String: String] ?? [:], after = click["after"] as? [String: String] ?? [:]
        print("clicked acknowledge on \(before["data-incident"] ?? "?"): \(before["data-state"] ?? "?") → \(after["data-state"] ?? "?"), "
              + "HTTP \(click["status"] ?? "-") \(click["url"] ?? ""), \(click["screenshot"] ?? "")")
        #expect(click["status"] as? Int == 200 && (click["url"] as? String) == collector.url + "/incidents?done=acknowledged", "\(click)")
        #expect(before["data-state"] == "firing" && after["data-state"] == "acknowledged", "\(before) → \(after)")
        #expect((click["outside"] as? [String])?.isEmpty == true, "the form asked outside the collector: \(click["outside"] ?? "")")
        let text = click["text"] as? String ?? ""
        #expect(text.contains("Đã nhận xử lý sự cố.") && text.contains("anh Tuấn"), "\(text)")
        let id = try #require(before["data-incident"])
        let record = try collector.request("GET", "/api/v1/incidents/" + id.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!,
                                           token: collector.adminToken)
        #expect((record.json["incident"] as? [String: Any])?["acknowledged_by"] as? String == "anh Tuấn", "\(record.body)")
    }
}
