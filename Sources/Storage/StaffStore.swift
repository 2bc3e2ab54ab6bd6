import WatchModel

/// What a signed-in person may do on the collector's pages and API.
public enum StaffPermission: String, Sendable, CaseIterable {
    /// Sites, incidents, graphs: every page.
    case readPages
    /// Acknowledge, annotate and silence incidents.
    case actOnIncidents
    /// Read and export the planners' reports.
    case readReports
    /// Create, disable and re-key staff accounts.
    case manageStaff
    /// Edit the site registry, enroll and revoke agents.
    case manageSites
}

/// A staff account's role. The enrollment and admin tokens stay for machines; people get one of these.
public enum StaffRole: String, Sendable, CaseIterable, Codable {
    /// Reads the pages.
    case viewer
    /// A mobile support team member: also acknowledges, notes and silences incidents.
    case support
    /// A provincial planner: also reads and exports reports.
    case planner
    /// Also manages staff accounts and sites.
    case admin

    public var permissions: Set<StaffPermission> {
        switch self {
        case .viewer: [.readPages]
        case .support: [.readPages, .actOnIncidents]
        case .planner: [.readPages, .readReports]
        case .admin: Set(StaffPermission.allCases)
        }
    }

    public func may(_ permission: StaffPermission) -> Bool { permissions.contains(permission) }
}

/// A person who signs in to the collector's pages.
public struct StaffAccount: Sendable, Hashable {
    /// What the person types to sign in: lower-case letters, digits, `.`, `_`, `-` (see `StaffAccount.check(login:)`).
    public var login: String
    /// How the teams know the person ("anh Tuấn"): written into incident histories.
    public var displayName: String
    public var role: StaffRole
    /// `PasswordHash`'s encoded form (algorithm, parameters, salt, key): never the password.
    public var passwordHash: String
    public var createdAt: TimestampMs
    /// When it was disabled; a disabled account cannot sign in and its sessions end.
    public var disabledAt: TimestampMs?

    public init(login: String, displayName: String, role: StaffRole, passwordHash: String, createdAt: TimestampMs, disabledAt: TimestampMs? = nil) {
        self.login = login
        self.displayName = displayName
        self.role = role
        self.passwordHash = passwordHash
        self.createdAt = createdAt
        self.disabledAt = disabledAt
    }

    public var isDisabled: Bool { disabledAt != nil }

    /// Why `login` cannot be a login, or nil when it can.
    public static func check(login: String) -> String? {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789._-")
        guard (2...64).contains(login.count), login.allSatisfy(allowed.contains), login.first!.isLetter || login.first!.isNumber else {
            return "a login is 2–64 characters of a–z, 0–9, '.', '_' and '-', starting with a letter or digit (not '\(login)')"
        }
        return nil
    }
}

/// A signed-in browser: the cookie carries a random token, the store keeps only its SHA-256.
public struct StaffSession: Sendable, Hashable {
    /// `Secret.hash` of the cookie's token: a copied database opens no session.
    public var idHash: String
    public var login: String
    /// Every state-changing request of this session carries it (form field `csrf` or `X-CSRF-Token`).
    public var csrfToken: String
    public var createdAt: TimestampMs
    /// Moved forward on use: the session ends after its idle time without a request.
    public var expiresAt: TimestampMs
    public var lastSeenAt: TimestampMs

    public init(idHash: String, login: String, csrfToken: String, createdAt: TimestampMs, expiresAt: TimestampMs, lastSeenAt: TimestampMs) {
        self.idHash = idHash
        self.login = login
        self.csrfToken = csrfToken
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastSeenAt = lastSeenAt
    }

    /// A new session for `login` and the token for its cookie (shown once, stored only hashed).
    public static func start(login: String, now: TimestampMs, idleMs: TimestampMs) -> (token: String, session: StaffSession) {
        let token = Secret.make()
        return (token, StaffSession(idHash: Secret.hash(token), login: login, csrfToken: Secret.make(), createdAt: now,
                                    expiresAt: now + idleMs, lastSeenAt: now))
    }
}

/// Where staff accounts and their sessions are kept: in the collector's database, so collectors
/// sharing it share the people and their sessions.
public protocol StaffStore: Sendable {
    /// Adds the account; false when its login is taken.
    func add(staff: StaffAccount) async throws -> Bool
    /// Replaces the name, role, password hash and disabled time of an existing account; false when there is none.
    func update(staff: StaffAccount) async throws -> Bool
    func staff(login: String) async throws -> StaffAccount?
    /// Every account, disabled ones too, by login.
    func staffAccounts() async throws -> [StaffAccount]

    func add(session: StaffSession) async throws
    /// The session whose token hashes to `idHash`, expired or not (the caller decides).
    func session(idHash: String) async throws -> StaffSession?
    /// Records a request: the session lives until `expiresAt`.
    func touch(session idHash: String, lastSeenAt: TimestampMs, expiresAt: TimestampMs) async throws
    func endSession(idHash: String) async throws
    /// Ends every session of `login` (disabled, or a new password); returns how many.
    @discardableResult
    func endSessions(login: String) async throws -> Int
    /// Forgets sessions that expired before `now`; returns how many.
    @discardableResult
    func endExpiredSessions(now: TimestampMs) async throws -> Int
}
