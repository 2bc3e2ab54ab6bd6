import WatchModel

/// Who may do what: admin tokens, one-time enrollment tokens, agents and their secrets, and
/// the site registry they belong to. Secrets are stored hashed.
public protocol AccessStore: Sendable {
    /// Makes the first admin token when there is none, and returns it (once); nil afterwards.
    func firstAdminToken() async throws -> String?
    func isAdmin(token: String) async throws -> Bool
    /// A one-time token for enrolling an agent of `site`, valid for `seconds`.
    func createEnrollmentToken(site: String, validForSeconds: Int) async throws -> String
    /// Spends the token: a new agent with its own secret, or nil for an unknown, spent or expired token.
    func enroll(token: String, hostname: String) async throws -> (agent: AgentRecord, secret: String)?
    /// The agent, if the secret is its own and it was not revoked.
    func authenticate(agentID: String, secret: String) async throws -> AgentRecord?
    /// False when there is no such agent.
    func revoke(agentID: String) async throws -> Bool
    /// Every enrolled agent, revoked ones included (marked), by id.
    func agents() async throws -> [AgentRecord]
    /// The probe list agents fetch: the province's (`site` nil) or one site's additions; nil clears it.
    func setProbeList(site: String?, toml: String?) async throws
    func probeList(site: String?) async throws -> String?
    func upsert(_ site: Site) async throws
    func sites() async throws -> [Site]
    func site(_ code: String) async throws -> Site?
}

/// An enrolled agent.
public struct AgentRecord: Sendable, Hashable, Codable {
    public var id: String
    public var site: String
    public var hostname: String
    public var revoked: Bool

    public init(id: String, site: String, hostname: String, revoked: Bool = false) {
        self.id = id
        self.site = site
        self.hostname = hostname
        self.revoked = revoked
    }
}
