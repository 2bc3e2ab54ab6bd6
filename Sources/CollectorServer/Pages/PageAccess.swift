import Hummingbird
import Storage

/// Who is looking at a page, as the pages need to know it (name for the header, role for what to offer).
struct PageViewer: Sendable, Hashable {
    var name: String
    /// viewer, support, planner or admin (the staff accounts' roles).
    var role: String
}

/// Decides whether a request may see the pages: a viewer, or nil to send the person to `/login`.
/// The staff accounts (session cookie) implement it; the route groups only ask.
protocol PageAccess: Sendable {
    func viewer(_ request: Request) async throws -> PageViewer?
}

/// STAND-IN until staff accounts land: everyone when the collector listens on a loopback address
/// only (nobody else can reach it), otherwise whoever brings the admin token (as `Authorization:
/// Bearer` or the `communewatch_admin` cookie). Replace it in `Collector.serve` by the accounts'
/// session check.
struct LoopbackOrAdminAccess: PageAccess {
    let access: any AccessStore
    let listensOnLoopback: Bool

    init(access: any AccessStore, host: String) {
        self.access = access
        listensOnLoopback = host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    func viewer(_ request: Request) async throws -> PageViewer? {
        if listensOnLoopback { return PageViewer(name: "local", role: "admin") }
        let token = request.bearerToken ?? request.cookies["communewatch_admin"]?.value
        guard let token, try await access.isAdmin(token: token) else { return nil }
        return PageViewer(name: "admin", role: "admin")
    }
}
