import Foundation
import Hummingbird
import Storage
import WatchModel

/// Who made a request: a machine with the admin token, or a person signed in through a session cookie.
enum Caller: Sendable {
    case adminToken
    case staff(StaffAccount, StaffSession)

    /// The person's name for incident histories; nil for the admin token (its requests name someone in `by`).
    var personName: String? {
        if case let .staff(account, _) = self { return account.displayName }
        return nil
    }

    /// The token a page puts in its forms (field `csrf`); nil for the admin token, which needs none.
    var csrfToken: String? {
        if case let .staff(_, session) = self { return session.csrfToken }
        return nil
    }
}

/// A request refused before its handler runs: not signed in, the wrong role, a missing CSRF token.
struct AccessRefused: Error {
    let response: Response
}

/// What route groups use to require a permission: the admin token (machines) may do everything;
/// a browser session may do what its account's role allows, and its POST/PUT/DELETE/PATCH must
/// carry the session's CSRF token (form field `csrf` or header `X-CSRF-Token`).
struct StaffAuthentication: Sendable {
    let access: any AccessStore
    let staff: any StaffStore
    /// A session ends after this long without a request.
    let idleMs: TimestampMs
    /// Secure cookies when the collector is reached over HTTPS.
    let secureCookie: Bool

    static let cookieName = "cw_session"

    /// `handler`, run only for a caller who may `permission`; everyone else gets 401 (or a 303 to
    /// the sign-in page for a browser's GET) or 403.
    func allow(_ permission: StaffPermission, _ handler: @escaping @Sendable (Request, BasicRequestContext, Caller) async throws -> Response)
        -> @Sendable (Request, BasicRequestContext) async throws -> Response {
        { request, context in
            var request = request
            let caller: Caller
            do { caller = try await require(permission, &request) } catch let refused as AccessRefused { return refused.response }
            return try await handler(request, context, caller)
        }
    }

    /// The caller if it may `permission`; the request's body may be read (and kept) to find the CSRF field.
    func require(_ permission: StaffPermission, _ request: inout Request) async throws -> Caller {
        if let token = request.bearerToken {
            // Machines: the admin token may do everything; no cookie, so no CSRF to fear.
            guard try await access.isAdmin(token: token) else {
                throw AccessRefused(response: Reply.error(.unauthorized, "the admin token is required (this bearer token is not one)"))
            }
            return .adminToken
        }
        let (account, session) = try await signedIn(request)
        guard account.role.may(permission) else {
            throw AccessRefused(response: Reply.error(.forbidden, "signed in as '\(account.login)' (\(account.role.rawValue)), who may not \(Self.describe(permission))"))
        }
        if Self.changesState(request.method) { try await checkCSRF(&request, session: session) }
        return .staff(account, session)
    }

    /// The signed-in account and its session (moved forward), or a refusal: 303 to /login for a browser's GET, else 401.
    func signedIn(_ request: Request) async throws -> (StaffAccount, StaffSession) {
        guard let token = request.cookies[Self.cookieName]?.value, !token.isEmpty else {
            throw notSignedIn(request, "sign in first (POST /login), or send 'Authorization: Bearer ADMIN_TOKEN'")
        }
        let now = WallClock.nowMs()
        guard var session = try await staff.session(idHash: Secret.hash(token)) else {
            throw notSignedIn(request, "this session has ended: sign in again")
        }
        guard session.expiresAt > now else {
            try await staff.endSession(idHash: session.idHash)
            throw notSignedIn(request, "this session has expired: sign in again")
        }
        guard let account = try await staff.staff(login: session.login), !account.isDisabled else {
            try await staff.endSession(idHash: session.idHash)
            throw notSignedIn(request, "this session has ended: sign in again")
        }
        // One write a minute at most (sooner for short idle times): the expiry moves with use.
        if now - session.lastSeenAt >= min(60_000, idleMs / 10) {
            session.lastSeenAt = now
            session.expiresAt = now + idleMs
            try await staff.touch(session: session.idHash, lastSeenAt: now, expiresAt: session.expiresAt)
        }
        return (account, session)
    }

    func notSignedIn(_ request: Request, _ message: String) -> AccessRefused {
        var response: Response
        if request.method == .get && Self.wantsHTML(request) {
            let next = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
            response = Response(status: .seeOther, headers: [.location: "/login?next=" + (next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/")])
        } else {
            response = Reply.error(.unauthorized, message)
        }
        if request.cookies[Self.cookieName] != nil { response.setCookie(clearedCookie) }
        return AccessRefused(response: response)
    }

    func checkCSRF(_ request: inout Request, session: StaffSession) async throws {
        var given = request.headers[.init("X-CSRF-Token")!]
        if given == nil, request.headers[.contentType]?.hasPrefix("application/x-www-form-urlencoded") == true {
            let body: ByteBuffer
            do { body = try await request.collectBody(upTo: 1 << 20) } catch {
                throw AccessRefused(response: Reply.error(.contentTooLarge, "the form is larger than 1 MB"))
            }
            given = AcknowledgeRoutes.form(String(buffer: body))["csrf"]
        }
        guard let given, !given.isEmpty else {
            throw AccessRefused(response: Reply.error(.forbidden, "the CSRF token is missing: send the session's token in the form field 'csrf' or the header 'X-CSRF-Token'"))
        }
        guard Self.same(given, session.csrfToken) else {
            throw AccessRefused(response: Reply.error(.forbidden, "the CSRF token is wrong for this session: reload the page and try again"))
        }
    }

    /// The session cookie: HttpOnly, SameSite=Lax, Path=/, Secure over HTTPS; no Max-Age (it ends with the browser or the idle time).
    func cookie(_ token: String) -> Cookie {
        Cookie(name: Self.cookieName, value: token, path: "/", secure: secureCookie, httpOnly: true, sameSite: .lax)
    }

    var clearedCookie: Cookie {
        Cookie(name: Self.cookieName, value: "", maxAge: 0, path: "/", secure: secureCookie, httpOnly: true, sameSite: .lax)
    }

    static func changesState(_ method: HTTPRequest.Method) -> Bool { [.post, .put, .delete, .patch].contains(method) }

    static func wantsHTML(_ request: Request) -> Bool { request.headers[.accept]?.contains("text/html") == true }

    /// Constant-time comparison of two tokens.
    static func same(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    static func describe(_ permission: StaffPermission) -> String {
        switch permission {
        case .readPages: "read the pages"
        case .actOnIncidents: "acknowledge, annotate or silence incidents (support or admin)"
        case .readReports: "read reports (planner or admin)"
        case .manageStaff: "manage staff accounts (admin)"
        case .manageSites: "manage sites and agents (admin)"
        }
    }
}
