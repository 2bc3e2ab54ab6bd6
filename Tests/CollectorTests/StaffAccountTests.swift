@testable import CollectorServer
import Foundation
@testable import Storage
import Synchronization
import Testing
import TestSupport

/// Passwords, roles and the sign-in throttle on their own, without a server.
@Suite(.ownThread) struct StaffAccountTests {
    @Test func aPasswordHashIsNotThePasswordAndVerifiesOnlyIt() throws {
        let password = "đèo Violắc 2025"
        let encoded = try PasswordHash.standard.hash(password)
        #expect(!encoded.contains(password) && !encoded.contains(Data(password.utf8).base64EncodedString()), "the password is not in the hash")
        #expect(encoded.hasPrefix("$scrypt$ln=15,r=8,p=1$"), "names its algorithm and cost: \(encoded)")
        #expect(PasswordHash.verify(password, against: encoded))
        #expect(!PasswordHash.verify(password + " ", against: encoded))
        #expect(!PasswordHash.verify("đèo Violắc 2024", against: encoded))
        #expect(!PasswordHash.verify("", against: encoded))
        let again = try PasswordHash.standard.hash(password)
        #expect(again != encoded, "a new salt each time: equal passwords do not show as equal hashes")
        #expect(PasswordHash.verify(password, against: again))
        print("scrypt hash: \(encoded.count) characters")
    }

    @Test func theEncodingCarriesItsCostSoStrongerSettingsStillVerifyOldHashes() throws {
        let weak = PasswordHash(logRounds: 12, blockSize: 8, parallelism: 1)
        let old = try weak.hash("mật khẩu cũ 123")
        #expect(old.hasPrefix("$scrypt$ln=12,r=8,p=1$"))
        #expect(PasswordHash.verify("mật khẩu cũ 123", against: old), "verified with the cost written in it")
        #expect(PasswordHash.standard.needsUpgrade(old))
        #expect(!PasswordHash.standard.needsUpgrade(try PasswordHash.standard.hash("mật khẩu mới 123")))
        // Malformed, unknown or absurd encodings verify nothing (and ask for no gigabytes).
        for bad in ["", "plain text", "$bcrypt$12$abc", "$scrypt$ln=40,r=8,p=1$c2FsdA==$" + String(repeating: "A", count: 44),
                    "$scrypt$ln=15$c2FsdA==$AAAA", old.replacingOccurrences(of: "$scrypt$", with: "$sha1$")] {
            #expect(!PasswordHash.verify("mật khẩu cũ 123", against: bad), "\(bad)")
        }
        #expect(PasswordHash.parse(PasswordHash.decoy) != nil, "the decoy costs a real scrypt run")
        #expect(!PasswordHash.verify("", against: PasswordHash.decoy) && !PasswordHash.verify("x", against: PasswordHash.decoy))
    }

    @Test func aShortPasswordIsRefusedWithTheRule() throws {
        #expect(throws: PasswordRefused.self) { try PasswordHash.standard.hash("ngắn") }
        do {
            _ = try PasswordHash.standard.hash("123456789")
            Issue.record("a 9-character password was accepted")
        } catch let refused as PasswordRefused {
            #expect(refused.description == "a password needs at least 10 characters (this one has 9)")
        }
        #expect(PasswordHash.check(password: String(repeating: "a", count: 1025))?.contains("at most 1024 bytes") == true)
        #expect(PasswordHash.check(password: "1234567890") == nil)
    }

    @Test func eachRoleMayDoWhatTheIssueSays() {
        #expect(StaffRole.viewer.permissions == [.readPages])
        #expect(StaffRole.support.permissions == [.readPages, .actOnIncidents])
        #expect(StaffRole.planner.permissions == [.readPages, .readReports])
        #expect(StaffRole.admin.permissions == Set(StaffPermission.allCases))
        #expect(!StaffRole.planner.may(.actOnIncidents) && !StaffRole.support.may(.readReports))
        #expect(StaffRole.allCases.filter { $0.may(.manageStaff) } == [.admin])
    }

    @Test func loginsAreCheckedWithAClearError() {
        for good in ["tuan", "lan.nguyen", "ql-01", "a_b"] { #expect(StaffAccount.check(login: good) == nil, "\(good)") }
        for bad in ["", "a", "Tuan", "tuấn", "anh tuan", "-x", String(repeating: "a", count: 65), "a/b"] {
            #expect(StaffAccount.check(login: bad)?.contains("a login is 2–64 characters") == true, "\(bad)")
        }
    }

    @Test func theThrottleAllowsFiveFailuresThenOneTryEveryThirtySeconds() {
        var throttle = LoginThrottle()
        let t0: Int64 = 1_764_633_600_000
        for i in 0..<5 {
            #expect(throttle.wait("tuan", now: t0 + Int64(i) * 1000) == nil, "failure \(i + 1) is free")
            throttle.failed("tuan", now: t0 + Int64(i) * 1000)
        }
        #expect(throttle.wait("tuan", now: t0 + 5_000) == 29_000, "30 s after the fifth failure (at 4 s)")
        #expect(throttle.wait("lan", now: t0 + 5_000) == nil, "another login is not held up")
        #expect(throttle.wait("tuan", now: t0 + 34_000) == nil)
        throttle.failed("tuan", now: t0 + 34_000)
        #expect(throttle.wait("tuan", now: t0 + 35_000) == 29_000, "one more try, then wait again")
        // Fifteen quiet minutes forget the failures; a success forgets them at once.
        #expect(throttle.wait("tuan", now: t0 + 34_000 + 15 * 60_000) == nil)
        throttle.failed("tuan", now: t0 + 34_000 + 15 * 60_000)
        #expect(throttle.wait("tuan", now: t0 + 34_001 + 15 * 60_000) == nil, "counting starts afresh")
        for i in 0..<5 { throttle.failed("lan", now: t0 + Int64(i)) }
        #expect(throttle.wait("lan", now: t0 + 10) != nil)
        throttle.succeeded("lan")
        #expect(throttle.wait("lan", now: t0 + 10) == nil)
    }

    @Test func passwordWorkRunsAtMostTwoAtOnceAndEveryOneFinishes() async throws {
        let work = PasswordWork(limit: 2)
        final class Counts: Sendable { let state = Mutex((now: 0, most: 0)) }
        let counts = Counts()
        let results = try await withThrowingTaskGroup(of: Int.self) { group in
            for i in 0..<6 {
                group.addTask {
                    try await work.run {
                        counts.state.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
                        usleep(100_000)
                        counts.state.withLock { $0.now -= 1 }
                        return i
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.sorted() == Array(0..<6))
        #expect(counts.state.withLock { $0.most } == 2, "two scrypt runs at most: 64 MiB, whatever the number of sign-ins")
    }

    @Test func onlyLocalPathsAreFollowedAfterSigningIn() {
        #expect(StaffRoutes.safeNext("/incidents?site=QNG-001") == "/incidents?site=QNG-001")
        for bad in [nil, "", "https://evil.example/", "//evil.example/x", "/\\evil.example", "incidents", "/a\nSet-Cookie: x=1"] {
            #expect(StaffRoutes.safeNext(bad) == "/", "\(bad ?? "nil")")
        }
    }
}
