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

/// The pages' door: a signed-in staff member (the session cookie) with their role, or whoever
/// brings the admin token (`Authorization: Bearer`, or the `communewatch_admin` cookie, for a
/// machine or an operator's browser). Anyone else is sent to `/login`.
extension StaffAuthentication: PageAccess {
    func viewer(_ request: Request) async throws -> PageViewer? {
        if let token = request.bearerToken ?? request.cookies["communewatch_admin"]?.value {
            return try await access.isAdmin(token: token) ? PageViewer(name: "admin", role: StaffRole.admin.rawValue) : nil
        }
        do {
            let (account, _) = try await signedIn(request)
            guard account.role.may(.readPages) else { return nil }
            return PageViewer(name: account.displayName, role: account.role.rawValue)
        } catch is AccessRefused {
            return nil
        }
    }
}
