import Deflate
import Foundation
import Testing
import TestSupport
@testable import WatchModel

/// An agent in a loop is slowed down with 429 without slowing the others; when storage is behind,
/// agents are told 503 + Retry-After (and keep their data in their spools).
@Suite(.ownThread) struct AdmissionTests {
    func batch(_ n: Int, samples: Int = 1) -> [UInt8] {
        var id = [UInt8](repeating: 0, count: 16)
        id[0] = UInt8(n & 0xFF); id[1] = UInt8(n >> 8)
        let now = WallClock.nowMs()
        let points = (0..<samples).map { WirePoint(timestamp: now - TimestampMs(samples - $0) * 1000, value: Double($0 % 97) / 1000) }
        return Deflate.compress(WireBatch(id: id, agentTime: now, clockSynced: true, path: "dedicated", site: "", catalog: 3,
                                          definitions: [SeriesDefinition(id: 1, key: SeriesKey("probe_icmp_rtt_median_seconds", ["probe": "p\(n)"]))],
                                          series: [WireSeries(id: 1, points: points)]).encoded())
    }

    @Test func aGreedyAgentIsSlowedAndOthersAreNot() throws {
        let collector = try CollectorProcess(options: ["--agent-requests-per-second", "1"])
        defer { collector.stop() }
        let greedy = try collector.enrolledAgent(site: "QNG-A"), polite = try collector.enrolledAgent(site: "QNG-B")
        var statuses: [Int] = []
        for n in 0..<6 {
            statuses.append(try collector.request("POST", "/api/v1/ingest", token: greedy, body: batch(n), headers: ["Content-Encoding: deflate"]).status)
        }
        #expect(statuses.prefix(2) == [200, 200] && statuses.contains(429), "\(statuses)")
        let limited = try run("/usr/bin/curl", ["-s", "-D", "-", "-o", "/dev/null", "-X", "POST", collector.url + "/api/v1/ingest",
                                                "-H", "Authorization: Bearer \(greedy)", "--data-binary", "x"])
        #expect(limited.stdout.lowercased().contains("retry-after: 1"), "\(limited.stdout)")
        #expect(try collector.request("POST", "/api/v1/ingest", token: polite, body: batch(100), headers: ["Content-Encoding: deflate"]).status == 200)
    }

    @Test func storageBehindMeans503AndRetryAfter() throws {
        let collector = try CollectorProcess(options: ["--max-inflight-ingests", "1"])
        defer { collector.stop() }
        let agents = try (0..<8).map { try collector.enrolledAgent(site: "QNG-B\($0)") }
        let bodies = (0..<8).map { batch(200 + $0, samples: 100_000) }
        for (i, body) in bodies.enumerated() { FileManager.default.createFile(atPath: collector.data + "/big-\(i)", contents: Data(body)) }
        let lock = NSLock()
        nonisolated(unsafe) var replies: [(status: Int, retryAfter: String?)] = []
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            // Headers too: a 503 is only useful to the agent with its Retry-After.
            let head = (try? run("/usr/bin/curl", ["-s", "-D", "-", "-o", "/dev/null", "-X", "POST", collector.url + "/api/v1/ingest",
                                                   "-H", "Authorization: Bearer \(agents[i])", "-H", "Content-Encoding: deflate", "-H", "Expect:",
                                                   "--data-binary", "@\(collector.data)/big-\(i)"]))?.stdout ?? ""
            let lines = head.split(separator: "\r\n")
            let status = lines.first.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
            let retryAfter = lines.first { $0.lowercased().hasPrefix("retry-after:") }.map { $0.dropFirst(12).trimmingCharacters(in: .whitespaces) }
            lock.lock(); replies.append((status, retryAfter)); lock.unlock()
        }
        let statuses = replies.map(\.status)
        #expect(statuses.contains(200) && statuses.allSatisfy { $0 == 200 || $0 == 503 }, "\(statuses)")
        #expect(statuses.contains(503), "eight large ingests at once against a limit of one: \(statuses)")
        #expect(replies.filter { $0.status == 503 }.allSatisfy { $0.retryAfter == "2" }, "every 503 tells when to come back: \(replies)")
    }
}
