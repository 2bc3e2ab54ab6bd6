import Foundation
import Testing
import TestSupport

/// One person's browser against a real collector: it keeps the session cookie it was given and
/// sends it back, as a browser does; the CSRF token is the page's to send.
final class Browser: @unchecked Sendable {
    let collector: CollectorProcess
    var cookie: String?
    var csrf: String?

    init(_ collector: CollectorProcess) { self.collector = collector }

    struct Reply {
        var status: Int
        var body: String
        var json: [String: Any]
        /// Lower-case header names; Set-Cookie lines joined by newlines.
        var headers: [String: String]
    }

    /// A request with this browser's cookie (or `cookie` given), a form or a JSON body, and extra headers.
    @discardableResult
    func send(_ method: String, _ path: String, form: [String: String]? = nil, json: [String: Any]? = nil, headers: [String] = [],
              cookie given: String? = nil) throws -> Reply {
        let dump = collector.data + "/headers-\(UInt32.random(in: 0...UInt32.max))"
        var arguments = ["-s", "-o", "-", "-w", "\n%{http_code}", "-X", method, collector.url + path, "-H", "Expect:", "-D", dump]
        if let caFile = collector.caFile { arguments += ["--cacert", caFile] }
        if let value = given ?? cookie { arguments += ["-H", "Cookie: cw_session=\(value)"] }
        for h in headers { arguments += ["-H", h] }
        var body: [UInt8]?
        if let form {
            body = AcknowledgePageTests().form(form)
            arguments += ["-H", "Content-Type: application/x-www-form-urlencoded"]
        }
        if let json {
            body = [UInt8](try JSONSerialization.data(withJSONObject: json))
            arguments += ["-H", "Content-Type: application/json"]
        }
        if let body {
            let file = collector.data + "/body-\(UInt32.random(in: 0...UInt32.max))"
            _ = FileManager.default.createFile(atPath: file, contents: Data(body))
            arguments += ["--data-binary", "@" + file]
        }
        let result = try run("/usr/bin/curl", arguments, timeout: 60)
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let text = lines.dropLast().joined(separator: "\n")
        var headers: [String: String] = [:]
        for line in ((try? String(contentsOfFile: dump, encoding: .utf8)) ?? "").split(separator: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased(), value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers[name] = headers[name].map { $0 + "\n" + value } ?? value
        }
        // Keep what the server set, drop what it cleared: a browser's cookie jar.
        if let set = headers["set-cookie"], let first = set.split(separator: ";").first, first.hasPrefix("cw_session=") {
            let value = String(first.dropFirst("cw_session=".count))
            cookie = value.isEmpty || set.contains("Max-Age=0") ? nil : value
        }
        return Reply(status: Int(lines.last ?? "") ?? 0, body: text,
                     json: (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:], headers: headers)
    }

    /// Signs in with the form, as the login page does (JSON back: the CSRF token for the page's own requests).
    @discardableResult
    func signIn(_ login: String, _ password: String) throws -> Reply {
        let reply = try send("POST", "/login", form: ["login": login, "password": password])
        if reply.status == 200 { csrf = reply.json["csrf"] as? String }
        return reply
    }

    /// A state-changing JSON request carrying the session's CSRF token.
    @discardableResult
    func post(_ path: String, _ object: [String: Any], csrf token: String?? = nil) throws -> Reply {
        let value = token ?? csrf
        return try send("POST", path, json: object, headers: value.map { ["X-CSRF-Token: \($0)"] } ?? [])
    }
}

/// Staff accounts through a real collector: each role does only what it should, CSRF, wrong
/// passwords, sign-out, expiry, throttling, and the `staff` commands.
@Suite(.ownThread) struct StaffAccessTests {
    let acknowledge = AcknowledgePageTests()

    func password(_ login: String) -> String { "mật khẩu của \(login) 2025" }

    /// Accounts of every role, made with the admin token.
    func addStaff(_ collector: CollectorProcess) throws {
        for (login, name, role) in [("xem", "anh Xem", "viewer"), ("tuan", "anh Tuấn", "support"), ("lan", "chị Lan", "planner"), ("quan", "chị Quân", "admin")] {
            let made = try collector.json("POST", "/api/v1/staff", token: collector.adminToken, ["login": login, "name": name, "role": role, "password": password(login)])
            #expect(made.status == 201, "\(made.body)")
            #expect(!made.body.contains(password(login)) && !made.body.contains("scrypt"), "neither the password nor its hash is sent back")
        }
    }

    @Test(arguments: Backend.allCases) func eachRoleMayDoOnlyWhatItShould(backend: Backend) throws {
        let (collector, _, id) = try acknowledge.cutLine(site: "QNG-STAFF", backend: backend)
        defer { collector.stop() }
        try addStaff(collector)
        let incident = acknowledge.path(id)
        var browsers: [String: Browser] = [:]
        for login in ["xem", "tuan", "lan", "quan"] {
            let browser = Browser(collector)
            let signed = try browser.signIn(login, password(login))
            #expect(signed.status == 200 && signed.json["login"] as? String == login, "\(signed.body)")
            // The cookie as the issue asks: HttpOnly, SameSite=Lax, the whole site; not Secure over plain HTTP.
            let set = signed.headers["set-cookie"] ?? ""
            #expect(set.hasPrefix("cw_session=") && set.contains("HttpOnly") && set.contains("SameSite=Lax") && set.contains("Path=/") && !set.contains("Secure"), "\(set)")
            #expect(browser.cookie?.count == 64 && browser.csrf?.count == 64 && browser.cookie != browser.csrf)
            browsers[login] = browser
        }
        let viewer = browsers["xem"]!, support = browsers["tuan"]!, planner = browsers["lan"]!, admin = browsers["quan"]!

        // Every role reads the incidents.
        for (login, browser) in browsers {
            let list = try browser.send("GET", "/api/v1/incidents")
            #expect(list.status == 200 && (list.json["incidents"] as? [[String: Any]])?.first?["id"] as? String == id, "\(login): \(list.body)")
            #expect(try browser.send("GET", incident).status == 200, "\(login)")
        }
        let who = try support.send("GET", "/api/v1/session")
        #expect(who.json["role"] as? String == "support" && who.json["name"] as? String == "anh Tuấn" && who.json["csrf"] as? String == support.csrf)

        // Viewer and planner may not acknowledge, note or silence; support may, under their own name.
        for browser in [viewer, planner] {
            let refused = try browser.post(incident + "/acknowledge", ["by": "ai đó"])
            #expect(refused.status == 403 && (refused.json["error"] as? String ?? "").contains("may not acknowledge"), "\(refused.body)")
            #expect(try browser.post(incident + "/notes", ["by": "ai đó", "text": "x"]).status == 403)
            #expect(try browser.post("/api/v1/silences", ["matchers": ["site": "QNG-STAFF"], "by": "x", "minutes": 5]).status == 403)
        }
        let acked = try support.post(incident + "/acknowledge", ["by": "someone else", "note": "đang lên xã"])
        #expect(acked.status == 200, "\(acked.body)")
        #expect((acked.json["incident"] as? [String: Any])?["acknowledged_by"] as? String == "anh Tuấn", "a person acts under their own name")
        #expect(try support.post(incident + "/notes", ["text": "cột điện đổ"]).status == 201, "no 'by' needed when signed in")
        let history = try viewer.send("GET", incident).json["incident"] as? [String: Any] ?? [:]
        let people = (history["history"] as? [[String: Any]])?.filter { $0["by"] as? String != "collector" }
        #expect(people?.map { "\($0["kind"] ?? "") \($0["by"] ?? "")" } == ["acknowledged anh Tuấn", "note anh Tuấn"], "\(history)")

        // Only an admin (or the admin token) makes accounts.
        let newcomer: [String: Any] = ["login": "moi", "name": "em Mới", "role": "viewer", "password": "mật khẩu mới 2025"]
        for browser in [viewer, support, planner] {
            let refused = try browser.post("/api/v1/staff", newcomer)
            #expect(refused.status == 403 && (refused.json["error"] as? String ?? "").contains("manage staff"), "\(refused.body)")
            #expect(try browser.send("GET", "/api/v1/staff").status == 403)
        }
        #expect(try admin.post("/api/v1/staff", newcomer).status == 201)
        #expect(try admin.post("/api/v1/staff", newcomer).status == 409, "a login is taken once")
        let short = try admin.post("/api/v1/staff", ["login": "ngan", "name": "x", "role": "viewer", "password": "123"])
        #expect(short.status == 422 && short.json["error"] as? String == "a password needs at least 10 characters (this one has 3)", "\(short.body)")
        let role = try admin.post("/api/v1/staff", ["login": "sai", "name": "x", "role": "boss", "password": "mật khẩu dài 2025"])
        #expect(role.status == 422 && (role.json["error"] as? String ?? "").contains("viewer, support, planner, admin"), "\(role.body)")
        let list = try admin.send("GET", "/api/v1/staff").json["staff"] as? [[String: Any]] ?? []
        #expect(list.map { "\($0["login"] ?? "") \($0["role"] ?? "")" } == ["lan planner", "moi viewer", "quan admin", "tuan support", "xem viewer"])
        #expect(try Browser(collector).signIn("moi", "mật khẩu mới 2025").status == 200, "the new account signs in")
        // The site registry is the admin's too.
        #expect(try planner.send("GET", "/api/v1/admin/sites").status == 403)
        #expect(try support.post("/api/v1/admin/sites", ["code": "QNG-NEW", "name": "Xã Mới"]).status == 403)
        #expect(try admin.post("/api/v1/admin/sites", ["code": "QNG-NEW", "name": "Xã Mới"]).status == 201)
        #expect((try admin.send("GET", "/api/v1/admin/sites").json["sites"] as? [[String: Any]])?.contains { $0["code"] as? String == "QNG-NEW" } == true)
        // An admin disables an account: its sessions end at once.
        #expect(try admin.post("/api/v1/staff/xem/disable", [:]).status == 200)
        #expect(try viewer.send("GET", "/api/v1/incidents").status == 401)

        // Machines keep their tokens; strangers are refused, a browser is sent to the sign-in page.
        #expect(try collector.request("GET", "/api/v1/incidents", token: collector.adminToken).status == 200)
        #expect(try collector.request("GET", "/api/v1/incidents").status == 401)
        let page = try Browser(collector).send("GET", "/api/v1/incidents?site=QNG-STAFF", headers: ["Accept: text/html"])
        #expect(page.status == 303 && page.headers["location"] == "/login?next=%2Fapi%2Fv1%2Fincidents%3Fsite%3DQNG%2DSTAFF", "\(page.headers)")
    }

    @Test func csrfWrongPasswordsSignOutExpiryAndThrottling() throws {
        let collector = try CollectorProcess(options: ["--alert-rules", try lineDownRules(extra: ""), "--session-idle-seconds", "3"])
        defer { collector.stop() }
        try addStaff(collector)
        let support = Browser(collector)
        #expect(try support.signIn("tuan", password("tuan")).status == 200)
        let silence: [String: Any] = ["matchers": ["site": "QNG-CSRF"], "minutes": 30, "comment": "cắt điện"]

        // A POST from a session without the CSRF token, or with another one, is refused with the reason.
        let missing = try support.post("/api/v1/silences", silence, csrf: .some(nil))
        #expect(missing.status == 403 && (missing.json["error"] as? String ?? "").contains("CSRF token is missing"), "\(missing.body)")
        let wrong = try support.post("/api/v1/silences", silence, csrf: String(repeating: "0", count: 64))
        #expect(wrong.status == 403 && (wrong.json["error"] as? String ?? "").contains("CSRF token is wrong"), "\(wrong.body)")
        let other = Browser(collector)
        try other.signIn("quan", password("quan"))
        #expect(try support.post("/api/v1/silences", silence, csrf: other.csrf).status == 403, "another session's token is not this one's")
        #expect(try support.send("DELETE", "/api/v1/silences/nope").status == 403, "DELETE needs it too")
        let made = try support.post("/api/v1/silences", silence)
        #expect(made.status == 201 && (made.json["silence"] as? [String: Any])?["created_by"] as? String == "anh Tuấn", "\(made.body)")
        // The form field works as the header does; the machine token needs neither.
        let expired = try support.send("POST", "/api/v1/silences/nope/expire", form: ["csrf": support.csrf!])
        #expect(expired.status == 404, "past the CSRF check: \(expired.body)")
        #expect(try support.send("POST", "/api/v1/silences/nope/expire", form: ["csrf": "x"]).status == 403)
        #expect(try collector.json("POST", "/api/v1/silences", token: collector.adminToken, silence.merging(["by": "máy"]) { a, _ in a }).status == 201)

        // A wrong password and an unknown login get the same answer.
        let badPassword = try Browser(collector).signIn("tuan", password("lan"))
        let unknown = try Browser(collector).signIn("khong-co", password("tuan"))
        #expect(badPassword.status == 401 && unknown.status == 401)
        #expect(badPassword.body == unknown.body && badPassword.json["error"] as? String == "wrong login or password", "\(badPassword.body)")
        #expect(badPassword.headers["set-cookie"] == nil)
        let form = try Browser(collector).send("POST", "/login", form: ["login": "tuan", "password": "sai mật khẩu", "next": "/x"], headers: ["Accept: text/html"])
        #expect(form.status == 401 && form.body.contains("Sai tên đăng nhập hoặc mật khẩu") && form.body.contains("Wrong login or password"))
        let page = try Browser(collector).send("POST", "/login", form: ["login": "tuan", "password": password("tuan"), "next": "/incidents"], headers: ["Accept: text/html"])
        #expect(page.status == 303 && page.headers["location"] == "/incidents" && page.headers["set-cookie"] != nil)
        #expect(try collector.request("GET", "/login").body.contains("name=\"password\" type=\"password\""))

        // Signing out ends the session on the server: the old cookie opens nothing.
        let leaving = Browser(collector)
        try leaving.signIn("lan", password("lan"))
        let old = try #require(leaving.cookie)
        #expect(try leaving.send("POST", "/logout").status == 403, "signing out needs the CSRF token too")
        let out = try leaving.post("/logout", [:])
        #expect(out.status == 200 && (out.headers["set-cookie"] ?? "").contains("Max-Age=0"), "\(out.headers)")
        let after = try leaving.send("GET", "/api/v1/session", cookie: old)
        #expect(after.status == 401 && (after.json["error"] as? String ?? "").contains("ended"), "\(after.body)")

        // Three idle seconds end a session; use keeps it going.
        let busy = Browser(collector), idle = Browser(collector)
        #expect(try idle.signIn("quan", password("quan")).status == 200)
        #expect(try busy.signIn("lan", password("lan")).status == 200)
        for i in 0..<4 {
            Thread.sleep(forTimeInterval: 1)
            let kept = try busy.send("GET", "/api/v1/session")
            #expect(kept.status == 200, "each request moves the expiry (request \(i + 1)): \(kept.body)")
        }
        let late = try idle.send("GET", "/api/v1/session")
        #expect(late.status == 401 && (late.json["error"] as? String ?? "").contains("expired"), "\(late.body)")

        // Five wrong passwords for a login, then one try per 30 s, even with the right password.
        for _ in 0..<5 { #expect(try Browser(collector).signIn("quan", "đoán mò 123456").status == 401) }
        let held = try Browser(collector).signIn("quan", password("quan"))
        #expect(held.status == 429 && Int(held.headers["retry-after"] ?? "") ?? 0 > 20, "\(held.status) \(held.headers)")
        #expect(try Browser(collector).signIn("tuan", password("tuan")).status == 200, "other logins are not held up")
    }

    @Test func theStaffCommandsWorkOnTheDatabaseAndNeverShowThePassword() throws {
        let collector = try CollectorProcess()
        defer { collector.stop() }
        let secret = "mật khẩu bí mật 2025"
        // From stdin, as `echo … | commune-collector staff add` or typed at the prompt.
        let added = try runWithInput(["staff", "add", "hoa", "--name", "chị Hoa", "--role", "admin"] + collector.storeOptions, input: secret + "\n")
        #expect(added.status == 0 && added.stdout.contains("added hoa (chị Hoa, admin)"), "\(added)")
        #expect(!added.stdout.contains(secret) && !added.stderr.contains(secret), "never echoed")
        let file = collector.data + "/password"
        try "mật khẩu hỗ trợ 2025\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try run(try collectorBinary(), ["staff", "add", "binh", "--name", "anh Bình", "--role", "support", "--password-file", file] + collector.storeOptions).status == 0)
        let short = try runWithInput(["staff", "add", "ngan", "--name", "x", "--role", "viewer"] + collector.storeOptions, input: "123\n")
        #expect(short.status != 0 && short.stderr.contains("a password needs at least 10 characters (this one has 3)"), "\(short)")
        let list = try run(try collectorBinary(), ["staff", "list"] + collector.storeOptions)
        #expect(list.stdout.contains("binh  support  anh Bình") && list.stdout.contains("hoa  admin  chị Hoa") && !list.stdout.contains("scrypt"), "\(list)")

        // The running collector signs them in at once (one database).
        let hoa = Browser(collector)
        #expect(try hoa.signIn("hoa", secret).status == 200)
        let binh = Browser(collector)
        #expect(try binh.signIn("binh", "mật khẩu hỗ trợ 2025").status == 200)

        // A new password ends the sessions; the old one no longer works.
        let changed = try runWithInput(["staff", "passwd", "hoa"] + collector.storeOptions, input: "mật khẩu mới của Hoa\n")
        #expect(changed.status == 0 && changed.stdout.contains("password changed for hoa"), "\(changed)")
        #expect(try hoa.send("GET", "/api/v1/session").status == 401)
        #expect(try Browser(collector).signIn("hoa", secret).status == 401)
        #expect(try Browser(collector).signIn("hoa", "mật khẩu mới của Hoa").status == 200)

        // Disabled: signed out now, and cannot sign in again.
        #expect(try run(try collectorBinary(), ["staff", "disable", "binh"] + collector.storeOptions).status == 0)
        #expect(try binh.send("GET", "/api/v1/session").status == 401)
        let refused = try Browser(collector).signIn("binh", "mật khẩu hỗ trợ 2025")
        #expect(refused.status == 401 && refused.json["error"] as? String == "wrong login or password")
        #expect(try run(try collectorBinary(), ["staff", "list"] + collector.storeOptions).stdout.contains("disabled"))
        let log = (try? String(contentsOfFile: collector.data + "/collector.log", encoding: .utf8)) ?? ""
        #expect(!log.contains(secret) && !log.contains("mật khẩu hỗ trợ"), "no password in the collector's log")
    }

    @Test func overHTTPSTheSessionCookieIsSecure() throws {
        let peer = try HTTPSPeer.shared.get()
        let collector = try CollectorProcess(options: ["--tls-certificate", peer.directory + "/server.pem", "--tls-key", peer.directory + "/server.key"],
                                             caFile: peer.caFile)
        defer { collector.stop() }
        try addStaff(collector)
        let browser = Browser(collector)
        let signed = try browser.signIn("tuan", password("tuan"))
        let set = signed.headers["set-cookie"] ?? ""
        #expect(signed.status == 200 && set.contains("Secure") && set.contains("HttpOnly") && set.contains("SameSite=Lax"), "\(signed.status) \(set)")
        #expect(try browser.send("GET", "/api/v1/session").json["login"] as? String == "tuan")
    }

    /// A `commune-collector` command with `input` on its stdin.
    func runWithInput(_ arguments: [String], input: String) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try collectorBinary())
        process.arguments = arguments
        let stdin = Pipe(), out = Pipe(), err = Pipe()
        process.standardInput = stdin
        process.standardOutput = out
        process.standardError = err
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self),
                String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
    }
}
