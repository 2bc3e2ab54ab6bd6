import Deflate
import Foundation
import Testing
import TestSupport
@testable import WatchModel

/// Two collector processes on one PostgreSQL database, the way a larger deployment scales out:
/// what one stores the other answers, an upload sent to both is stored once, a revocation holds everywhere.
@Suite(.ownThread) struct SharedDatabaseTests {
    @Test func twoCollectorsShareOneDatabase() throws {
        let unlimited = ["--agent-requests-per-second", "100000"]
        let first = try CollectorProcess(backend: .postgres, options: unlimited)
        defer { first.stop() }
        let second = try CollectorProcess(database: first.database, adminToken: first.adminToken, options: unlimited)
        defer { second.stop() }
        let credentials = try first.enrolledAgent(site: "QNG-SHARED", name: "Xã Dùng Chung")
        #expect(try second.request("GET", "/api/v1/admin/sites", token: second.adminToken).body.contains("Xã Dùng Chung"))

        // 30 batches, each sent to both collectors at the same moment (an agent retrying after a lost reply).
        let start = WallClock.nowMs() - 600_000
        let key = SeriesKey("probe_tcp_connect_seconds", ["probe": "portal"])
        let bodies: [[UInt8]] = (0..<30).map { n in
            var id = [UInt8](repeating: 0, count: 16)
            id[0] = UInt8(n); id[15] = 0x5D
            let points = (0..<10).map { (k: Int) -> WirePoint in
                let i = n * 10 + k
                return WirePoint(timestamp: start + TimestampMs(i) * 1_000, value: Double(i) / 1e4)
            }
            return Deflate.compress(WireBatch(id: id, agentTime: WallClock.nowMs(), clockSynced: true, path: "dedicated", site: "", catalog: 5,
                                              definitions: [SeriesDefinition(id: 1, key: key)], series: [WireSeries(id: 1, points: points)]).encoded())
        }
        let lock = NSLock()
        nonisolated(unsafe) var stored: [Int: [Int]] = [:]
        nonisolated(unsafe) var failures: [String] = []
        let group = DispatchGroup()
        for (n, body) in bodies.enumerated() {
            for collector in [first, second] {
                group.enter()
                Thread.detachNewThread {
                    defer { group.leave() }
                    let reply = try? collector.request("POST", "/api/v1/ingest", token: credentials, body: body, headers: ["Content-Encoding: deflate"])
                    lock.lock(); defer { lock.unlock() }
                    if let reply, reply.status == 200 { stored[n, default: []].append(reply.json["stored"] as? Int ?? -1) } else {
                        failures.append("batch \(n): \(reply?.status ?? 0) \(reply?.body ?? "")")
                    }
                }
            }
        }
        #expect(group.wait(timeout: .now() + 120) == .success)
        lock.lock(); let outcomes = stored; let failed = failures; lock.unlock()
        #expect(failed.isEmpty, "\(failed)")
        for n in 0..<bodies.count {
            #expect(outcomes[n]?.sorted() == [0, 10], "batch \(n): stored \(outcomes[n] ?? []) (once by one collector, 0 by the other)")
        }
        for collector in [first, second] {
            let reply = try collector.request("GET", "/api/v1/query_range?metric=probe_tcp_connect_seconds&site=QNG-SHARED&from=\(start)&to=\(start + 400_000)")
            let points = ((reply.json["series"] as? [[String: Any]])?.first?["points"] as? [[Double]]) ?? []
            #expect(points.count == 300 && Set(points.map { $0[0] }).count == 300, "\(collector.port): \(points.count) points")
        }

        // Revoked through one collector, refused by both.
        let agentID = String(credentials.split(separator: ":")[0])
        #expect(try second.request("POST", "/api/v1/admin/agents/\(agentID)/revoke", token: second.adminToken).status == 200)
        for collector in [first, second] {
            #expect(try collector.request("POST", "/api/v1/ingest", token: credentials, body: bodies[0], headers: ["Content-Encoding: deflate"]).status == 401)
        }
    }

    /// A wrong password, a database that is not there, a URL that is not one: the collector and
    /// its commands say which, without printing the password, and do not start.
    @Test func aDatabaseThatCannotBeUsedIsNamed() throws {
        let url = try PostgresPeer.shared.get().newDatabase()
        let wrong = url.replacingOccurrences(of: ":\(PostgresPeer.password)@", with: ":not-the-password@")
        let closedPort = "postgres://postgres:secret@127.0.0.1:1/communewatch?sslmode=disable"
        let cases: [(arguments: [String], expected: String)] = [
            (["serve", "--listen", "127.0.0.1:0", "--data", scratchDirectory("pg-wrong"), "--database", wrong], "password authentication failed"),
            (["sites", "export", "--database", wrong], "password authentication failed"),
            (["serve", "--listen", "127.0.0.1:0", "--data", scratchDirectory("pg-closed"), "--database", closedPort], "127.0.0.1"),
            (["token", "--site", "X", "--database", "mysql://root@127.0.0.1/db"], "is not a postgres://"),
        ]
        for (arguments, expected) in cases {
            let result = try run(try collectorBinary(), arguments, timeout: 60)
            #expect(result.status != 0, "\(arguments) started anyway")
            #expect(result.stderr.contains(expected), "\(arguments): \(result.stderr)")
            #expect(!result.stderr.contains("not-the-password") && !result.stderr.contains("secret@"), "the password is not printed: \(result.stderr)")
        }
    }
}
