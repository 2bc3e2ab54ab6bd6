import WatchModel

extension MemoryStore {
    public func add(staff: StaffAccount) async throws -> Bool {
        guard staffAccounts[staff.login] == nil else { return false }
        staffAccounts[staff.login] = staff
        return true
    }

    public func update(staff: StaffAccount) async throws -> Bool {
        guard let old = staffAccounts[staff.login] else { return false }
        var changed = staff
        changed.createdAt = old.createdAt
        staffAccounts[staff.login] = changed
        return true
    }

    public func staff(login: String) async throws -> StaffAccount? { staffAccounts[login] }

    public func staffAccounts() async throws -> [StaffAccount] { staffAccounts.values.sorted { $0.login < $1.login } }

    public func add(session: StaffSession) async throws { staffSessions[session.idHash] = session }

    public func session(idHash: String) async throws -> StaffSession? { staffSessions[idHash] }

    public func touch(session idHash: String, lastSeenAt: TimestampMs, expiresAt: TimestampMs) async throws {
        staffSessions[idHash]?.lastSeenAt = lastSeenAt
        staffSessions[idHash]?.expiresAt = expiresAt
    }

    public func endSession(idHash: String) async throws { staffSessions[idHash] = nil }

    public func endSessions(login: String) async throws -> Int {
        let before = staffSessions.count
        staffSessions = staffSessions.filter { $0.value.login != login }
        return before - staffSessions.count
    }

    public func endExpiredSessions(now: TimestampMs) async throws -> Int {
        let before = staffSessions.count
        staffSessions = staffSessions.filter { $0.value.expiresAt >= now }
        return before - staffSessions.count
    }
}
