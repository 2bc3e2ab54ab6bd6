import Foundation
import Storage
import WatchModel

/// Adding, disabling and re-keying staff accounts: one set of rules for the admin API and the CLI.
public enum StaffDirectory {
    /// A new account; throws `StaffChangeRefused` naming what was wrong (login, name, role, password, taken).
    public static func add(login: String, name: String, role roleText: String, password: String, in store: any StaffStore,
                           hashing: PasswordHash = .standard) async throws -> StaffAccount {
        if let why = StaffAccount.check(login: login) { throw StaffChangeRefused(.invalid, why) }
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= 100 else { throw StaffChangeRefused(.invalid, "a name is 1–100 characters (how the teams know the person)") }
        guard let role = StaffRole(rawValue: roleText) else {
            throw StaffChangeRefused(.invalid, "a role is one of \(StaffRole.allCases.map(\.rawValue).joined(separator: ", ")), not '\(roleText)'")
        }
        let hash: String
        do { hash = try hashing.hash(password) } catch let refused as PasswordRefused { throw StaffChangeRefused(.invalid, refused.description) }
        let account = StaffAccount(login: login, displayName: name, role: role, passwordHash: hash, createdAt: WallClock.nowMs())
        guard try await store.add(staff: account) else { throw StaffChangeRefused(.exists, "there is already an account '\(login)'") }
        return account
    }

    /// Disables the account and ends its sessions.
    public static func disable(login: String, in store: any StaffStore) async throws -> StaffAccount {
        guard var account = try await store.staff(login: login) else { throw StaffChangeRefused(.notFound, "no account '\(login)'") }
        if account.disabledAt == nil {
            account.disabledAt = WallClock.nowMs()
            _ = try await store.update(staff: account)
        }
        try await store.endSessions(login: login)
        return account
    }

    /// A new password; the account's sessions end (whoever knew the old one is signed out).
    public static func setPassword(login: String, password: String, in store: any StaffStore, hashing: PasswordHash = .standard) async throws {
        guard var account = try await store.staff(login: login) else { throw StaffChangeRefused(.notFound, "no account '\(login)'") }
        do { account.passwordHash = try hashing.hash(password) } catch let refused as PasswordRefused { throw StaffChangeRefused(.invalid, refused.description) }
        _ = try await store.update(staff: account)
        try await store.endSessions(login: login)
    }
}

/// A change to the staff accounts that cannot be made, and why.
public struct StaffChangeRefused: Error, CustomStringConvertible {
    public enum Kind: Sendable { case invalid, exists, notFound }
    public let kind: Kind
    public let description: String

    init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }
}
