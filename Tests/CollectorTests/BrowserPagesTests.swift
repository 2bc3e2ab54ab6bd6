import Foundation
import Testing
import TestSupport

/// The Python of the peers venv, which scripts/setup-peers gives selenium.
let browserPython = "/opt/communewatch/peers-venv/bin/python"

/// A real browser is here: Debian chromium and chromedriver (scripts/setup-deps), selenium (scripts/setup-peers).
let browserAvailable: Bool = {
    let files = FileManager.default
    guard files.isExecutableFile(atPath: "/usr/bin/chromium"), files.isExecutableFile(atPath: "/usr/bin/chromedriver"),
          files.isExecutableFile(atPath: browserPython) else { return false }
    return (try? run(browserPython, ["-c", "import selenium"], timeout: 30).status) == 0
}()

/// The small demo province (12 sites, 2 days) put into `collector` by the real `demo` command; what it printed.
func addSmallDemo(to collector: CollectorProcess) async throws -> String {
    let demo = try await runAwaited(try collectorBinary(), ["demo", "--collector", collector.url, "--admin-token", collector.adminToken,
                                               "--sites", "12", "--days", "2"], timeout: 60)
    try #require(demo.status == 0, "\(demo.stderr)")
    return demo.stdout
}

/// A staff account made by the real `staff add` command; the path of its password file (in `scratch`).
func addStaff(_ login: String, name: String, role: String, password: String, to collector: CollectorProcess, in scratch: String) throws -> String {
    let passwordFile = scratch + "/password"
    try (password + "\n").write(toFile: passwordFile, atomically: true, encoding: .utf8)
    let added = try run(try collectorBinary(), ["staff", "add", login, "--name", name, "--role", role, "--password-file", passwordFile] + collector.storeOptions)
    try #require(added.status == 0, "\(added)")
    return passwordFile
}


/// The pages in headless Chromium, as a support team member on a phone (360 px) and at a desk
/// (1280 px) sees them: signed in through the form, every page whole, nothing from the internet.
@Suite(.ownThread) struct BrowserPagesTests {
    @Test(.enabled(if: browserAvailable, "needs chromium, chromium-driver (scripts/setup-deps) and selenium in /opt/communewatch/peers-venv (scripts/setup-peers)"),
          .timeLimit(.minutes(10)))
    func theDemoProvinceOpensInARealBrowserAtPhoneAndDeskWidths() async throws {
        let collector = try CollectorProcess()
        defer { collector.stop() }
        let demoOutput = try await addSmallDemo(to: collector)

        // One of the demo's communes whose line was cut for hours: its page has outages to draw.
        let troubled = demoOutput.split(separator: "\n").first { $0.hasPrefix("demo: long outages:") }?
            .split(separator: " ").first { $0.hasPrefix("DEMO-") }.map(String.init)
        let code = try #require(troubled, "\(demoOutput)")
        let sites = try collector.request("GET", "/api/v1/admin/sites", token: collector.adminToken).json["sites"] as? [[String: Any]] ?? []
        let siteName = try #require(sites.first { $0["code"] as? String == code }?["name"] as? String, "\(code) in the registry")

        let scratch = scratchDirectory("browser")
        let passwordFile = try addStaff("lan", name: "chị Lan", role: "admin", password: "mật khẩu trình duyệt 2026", to: collector, in: scratch)

        // The language is remembered once chosen: English last, the others in Vietnamese.
        let expected: [(page: String, title: String)] = [
            ("/", "Tổng quan · CommuneWatch"),
            ("/portals", "Cổng dịch vụ · CommuneWatch"),
            ("/sites/\(code)", "\(siteName) · CommuneWatch"),
            ("/?lang=en", "Overview · CommuneWatch"),
        ]
        let widths = [360, 1280]
        let shots = scratch + "/screenshots"
        print("browser screenshots: \(shots)")
        let started = Date()
        let browser = try await runAwaited(browserPython, [repositoryRoot.path + "/Tests/Peers/browser_peer.py",
                                              "--collector", collector.url, "--login", "lan", "--password-file", passwordFile,
                                              "--out", shots, "--deadline", "180"]
                                             + expected.flatMap { ["--page", $0.page] } + widths.flatMap { ["--width", String($0)] },
                              timeout: 200)
        print("browser_peer: \(String(format: "%.1f", Date().timeIntervalSince(started))) s, exit \(browser.status)")
        try #require(browser.status == 0, "\(browser.stderr)")
        let report = try #require((try? JSONSerialization.jsonObject(with: Data(browser.stdout.utf8))) as? [String: Any], "\(browser.stdout)")
        #expect(report["signedIn"] as? Bool == true)
        let results = report["results"] as? [[String: Any]] ?? []
        #expect(results.count == expected.count * widths.count, "\(browser.stdout)")

        for (page, title) in expected {
            for width in widths {
                guard let r = results.first(where: { $0["page"] as? String == page && $0["width"] as? Int == width }) else {
                    Issue.record("no result for \(page) at \(width) px")
                    continue
                }
                let shot = r["screenshot"] as? String ?? ""
                print("\(page) @\(width)px: HTTP \(r["status"] ?? "-"), \"\(r["title"] ?? "")\", \(r["bytes"] ?? 0) bytes, "
                      + "scrollWidth \(r["scrollWidth"] ?? 0) / innerWidth \(r["innerWidth"] ?? 0), \(r["requests"] ?? 0) requests, \(shot)")
                // Tables scroll sideways inside their box on a phone by design: shown, not judged here.
                for box in r["sideways"] as? [[String: Any]] ?? [] {
                    print("  scrolls sideways: \(box["box"] ?? "") holding \(box["holds"] ?? ""), \(box["scrollWidth"] ?? 0) px in \(box["clientWidth"] ?? 0) px")
                }
                #expect(r["status"] as? Int == 200, "\(page) at \(width) px: \(r)")
                #expect(r["title"] as? String == title, "\(page) at \(width) px")
                #expect((r["url"] as? String)?.hasPrefix(collector.url + page) == true, "stayed signed in, not sent to /login: \(r["url"] ?? "")")
                #expect((r["outside"] as? [String])?.isEmpty == true, "\(page) at \(width) px asked outside the collector: \(r["outside"] ?? "")")
                if width == 360 {
                    #expect(r["overflow"] as? Bool == false, "\(page) is wider than a 360 px phone: scrollWidth \(r["scrollWidth"] ?? 0)")
                    #expect(r["innerWidth"] as? Int == width, "\(page) laid out for a desk, not the phone's width (viewport meta?): innerWidth \(r["innerWidth"] ?? 0)")
                }
                let png = FileManager.default.contents(atPath: shot) ?? Data()
                #expect(png.count > 1000 && png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "screenshot \(shot): \(png.count) bytes")
            }
        }
    }
}
