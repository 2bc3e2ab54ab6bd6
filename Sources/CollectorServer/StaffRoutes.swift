import Foundation
import Hummingbird
import Storage
import Synchronization
import WatchModel

/// Signing in and out, the signed-in session, and the staff accounts (admin).
///
///     GET  /login                              the sign-in form
///     POST /login                              form or JSON: login, password (next) → session cookie
///     POST /logout                             ends the session (CSRF token required)
///     GET  /api/v1/session                     who is signed in, the role, the CSRF token
///     GET  /api/v1/staff                       accounts (admin)
///     POST /api/v1/staff                       {login, name, role, password} (admin)
///     POST /api/v1/staff/:login/disable        (admin)
///     POST /api/v1/staff/:login/password       {password} (admin)
final class StaffRoutes: Sendable {
    let auth: StaffAuthentication
    /// Wrong passwords per login: after 5, one try per 30 s.
    let throttle = Mutex(LoginThrottle())
    /// scrypt off the server's threads, two at a time.
    let passwords = PasswordWork()

    init(auth: StaffAuthentication) { self.auth = auth }

    func add(to router: Router<BasicRequestContext>) {
        router.get("/login") { request, _ -> Response in
            Self.loginPage(next: Self.safeNext(request.uri.queryParameters.get("next")), message: nil, status: .ok)
        }
        router.post("/login") { request, _ -> Response in try await self.login(request) }
        router.post("/logout") { request, _ -> Response in try await self.logout(request) }
        router.get("/api/v1/session", use: auth.allow(.readPages) { _, _, caller -> Response in
            guard case let .staff(account, session) = caller else { return Reply.json(["admin_token": true]) }
            return Reply.json(["login": account.login, "name": account.displayName, "role": account.role.rawValue,
                               "permissions": account.role.permissions.map(\.rawValue).sorted(), "csrf": session.csrfToken,
                               "expires": session.expiresAt])
        })
        router.get("/api/v1/staff", use: auth.allow(.manageStaff) { _, _, _ -> Response in
            Reply.json(["staff": try await self.auth.staff.staffAccounts().map(Self.json)])
        })
        router.post("/api/v1/staff", use: auth.allow(.manageStaff) { request, _, _ -> Response in
            let object: [String: Any]
            do { object = try await Reply.object(request, limit: 16 << 10) } catch let refusal as Refusal { return refusal.reply }
            guard let login = object["login"] as? String, let name = object["name"] as? String, let role = object["role"] as? String,
                  let password = object["password"] as? String else {
                return Reply.error(.badRequest, "expected {\"login\": LOGIN, \"name\": NAME, \"role\": viewer|support|planner|admin, \"password\": PASSWORD}")
            }
            do {
                let account = try await StaffDirectory.add(login: login, name: name, role: role, password: password, in: self.auth.staff)
                return Reply.json(["staff": Self.json(account)], status: .created)
            } catch let refused as StaffChangeRefused {
                return Self.reply(refused)
            }
        })
        router.post("/api/v1/staff/:login/disable", use: auth.allow(.manageStaff) { _, context, _ -> Response in
            do {
                return Reply.json(["staff": Self.json(try await StaffDirectory.disable(login: context.parameters.get("login") ?? "", in: self.auth.staff))])
            } catch let refused as StaffChangeRefused {
                return Self.reply(refused)
            }
        })
        router.post("/api/v1/staff/:login/password", use: auth.allow(.manageStaff) { request, context, _ -> Response in
            let object: [String: Any]
            do { object = try await Reply.object(request, limit: 16 << 10) } catch let refusal as Refusal { return refusal.reply }
            guard let password = object["password"] as? String else { return Reply.error(.badRequest, "expected {\"password\": PASSWORD}") }
            let login = context.parameters.get("login") ?? ""
            do {
                try await StaffDirectory.setPassword(login: login, password: password, in: self.auth.staff)
                return Reply.json(["password_changed": login])
            } catch let refused as StaffChangeRefused {
                return Self.reply(refused)
            }
        })
    }

    func login(_ request: Request) async throws -> Response {
        let html = StaffAuthentication.wantsHTML(request)
        let fields: [String: String]
        do { fields = try await Self.fields(request) } catch let refusal as Refusal { return refusal.reply }
        let login = (fields["login"] ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        let password = fields["password"] ?? ""
        let next = Self.safeNext(fields["next"])
        guard !login.isEmpty, !password.isEmpty else {
            return html ? Self.loginPage(next: next, message: "Xin nhập tên đăng nhập và mật khẩu.<small>Enter your login and password.</small>", status: .badRequest)
                : Reply.error(.badRequest, "expected the fields 'login' and 'password'")
        }
        let now = WallClock.nowMs()
        if let wait = throttle.withLock({ $0.wait(login, now: now) }) {
            let seconds = (wait + 999) / 1000
            var response = html ? Self.loginPage(next: next, message: "Sai quá nhiều lần: thử lại sau \(seconds) giây.<small>Too many failed sign-ins: try again in \(seconds) s.</small>", status: .tooManyRequests)
                : Reply.error(.tooManyRequests, "too many failed sign-ins for this login: try again in \(seconds) s")
            response.headers[.retryAfter] = "\(seconds)"
            return response
        }
        let account = try await auth.staff.staff(login: login)
        // An unknown or disabled login costs the same scrypt as a wrong password, and gets the same answer.
        let stored = account?.passwordHash ?? PasswordHash.decoy
        let matches = try await passwords.run { PasswordHash.verify(password, against: stored) }
        guard var account, matches, !account.isDisabled else {
            throttle.withLock { $0.failed(login, now: now) }
            return html ? Self.loginPage(next: next, message: "Sai tên đăng nhập hoặc mật khẩu.<small>Wrong login or password.</small>", status: .unauthorized)
                : Reply.error(.unauthorized, "wrong login or password")
        }
        throttle.withLock { $0.succeeded(login) }
        if PasswordHash.standard.needsUpgrade(account.passwordHash), let stronger = try? await passwords.run({ try PasswordHash.standard.hash(password) }) {
            account.passwordHash = stronger
            _ = try await auth.staff.update(staff: account)
        }
        try await auth.staff.endExpiredSessions(now: now)
        let (token, session) = StaffSession.start(login: account.login, now: now, idleMs: auth.idleMs)
        try await auth.staff.add(session: session)
        var response = html ? Response(status: .seeOther, headers: [.location: next])
            : Reply.json(["login": account.login, "name": account.displayName, "role": account.role.rawValue, "csrf": session.csrfToken,
                          "expires": session.expiresAt])
        response.setCookie(auth.cookie(token))
        return response
    }

    func logout(_ request: Request) async throws -> Response {
        var request = request
        do {
            let (_, session) = try await auth.signedIn(request)
            // Logging someone out is a state change a third-party page must not trigger.
            try await auth.checkCSRF(&request, session: session)
            try await auth.staff.endSession(idHash: session.idHash)
        } catch let refused as AccessRefused where refused.response.status == .forbidden {
            return refused.response
        } catch is AccessRefused {
            // Not signed in (or expired): nothing to end; the cookie is cleared all the same.
        }
        var response = StaffAuthentication.wantsHTML(request) ? Response(status: .seeOther, headers: [.location: "/login"])
            : Reply.json(["signed_out": true])
        response.setCookie(auth.clearedCookie)
        return response
    }

    /// The sign-in fields from a form or a JSON object.
    static func fields(_ request: Request) async throws -> [String: String] {
        if request.headers[.contentType]?.hasPrefix("application/json") == true {
            return try await Reply.object(request, limit: 16 << 10).compactMapValues { $0 as? String }
        }
        let body: ByteBuffer
        do { body = try await request.body.collect(upTo: 16 << 10) } catch { throw Refusal(.contentTooLarge, "the form is larger than 16 kB") }
        return AcknowledgeRoutes.form(String(buffer: body))
    }

    /// Where to go after signing in: a path on this collector only (no `//host`, no scheme).
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.contains("\\"), !next.contains(where: \.isNewline) else { return "/" }
        return next
    }

    static func reply(_ refused: StaffChangeRefused) -> Response {
        switch refused.kind {
        case .invalid: Reply.error(.unprocessableContent, refused.description)
        case .exists: Reply.error(.conflict, refused.description)
        case .notFound: Reply.error(.notFound, refused.description)
        }
    }

    static func json(_ a: StaffAccount) -> [String: Any] {
        var object: [String: Any] = ["login": a.login, "name": a.displayName, "role": a.role.rawValue, "created": a.createdAt]
        if let disabled = a.disabledAt { object["disabled"] = disabled }
        return object
    }

    /// The sign-in form: Vietnamese with English beneath, nothing loaded from elsewhere.
    static func loginPage(next: String, message: String?, status: HTTPResponse.Status) -> Response {
        let e = AcknowledgeRoutes.escape
        var body = "<h1>Đăng nhập<small>Sign in</small></h1>"
        if let message { body += "<p class=\"no\">\(message)</p>" }
        body += "<form method=\"post\" action=\"/login\"><input type=\"hidden\" name=\"next\" value=\"\(e(next))\">"
        body += "<label>Tên đăng nhập<small>Login</small><input name=\"login\" autocomplete=\"username\" required autofocus></label>"
        body += "<label>Mật khẩu<small>Password</small><input name=\"password\" type=\"password\" autocomplete=\"current-password\" required></label>"
        body += "<button>Đăng nhập / Sign in</button></form>"
        return AcknowledgeRoutes.html(status, "Đăng nhập<small>Sign in</small>", body)
    }
}
