import Curl
import Deflate
import Foundation
import WatchModel

/// Puts a simulated province into a running collector through its real doors: the admin API
/// for the sites and enrollment tokens, `/api/v1/enroll` for one agent per site, and
/// `/api/v1/ingest` for their batches (deflated CWB2, 429/503 waited out as `Retry-After` says).
public struct DemoUploader: Sendable {
    public let collector: String
    let adminToken: String
    let http = CurlMulti()

    /// What a run did, for the summary line.
    public struct Outcome: Sendable {
        public var created: [DemoSite] = []
        public var skipped: [String] = []
        public var batches = 0
        public var samples = 0
        public var events = 0
        public var bytes = 0
        public var retries = 0
        public var outageMinutes: [String: Int] = [:]
        /// Each uploaded site's history and agent credentials, for `keepReporting`.
        var agents: [(history: DemoHistory, agent: String)] = []
    }

    public init(collector: String, adminToken: String) {
        self.collector = collector.hasSuffix("/") ? String(collector.dropLast()) : collector
        self.adminToken = adminToken
    }

    /// Codes of the demo sites already in the registry.
    public func existingDemoSites() async throws -> Set<String> {
        let reply = try await json("GET", "/api/v1/admin/sites", token: adminToken, body: nil, expect: 200)
        let sites = reply["sites"] as? [[String: Any]] ?? []
        return Set(sites.compactMap { $0["code"] as? String }.filter { $0.hasPrefix(DemoProvince.codePrefix) })
    }

    /// Registers the province's new sites, enrolls an agent for each, and uploads `days` of history
    /// ending now, `parallel` sites at a time. Sites already registered are left as they are.
    public func run(_ province: DemoProvince, days: Int, parallel: Int, progress: @Sendable (String) -> Void = { _ in }) async throws -> Outcome {
        var outcome = Outcome()
        let existing = try await existingDemoSites()
        let todo = province.sites.filter { !existing.contains($0.site.code) }
        outcome.skipped = province.sites.map(\.site.code).filter(existing.contains)
        for demo in todo {
            _ = try await json("POST", "/api/v1/admin/sites", token: adminToken, body: demo.registryObject, expect: 201)
        }
        progress("\(todo.count) sites registered (\(outcome.skipped.count) already there)")
        let now = WallClock.nowMs()
        try await withThrowingTaskGroup(of: (DemoSite, Outcome).self) { group in
            var next = 0, done = 0
            func start() {
                guard next < todo.count else { return }
                let demo = todo[next]
                next += 1
                group.addTask { (demo, try await self.fill(demo, seed: province.seed, days: days, now: now)) }
            }
            for _ in 0..<max(1, parallel) { start() }
            while let (demo, one) = try await group.next() {
                outcome.created.append(demo)
                outcome.batches += one.batches
                outcome.samples += one.samples
                outcome.events += one.events
                outcome.bytes += one.bytes
                outcome.retries += one.retries
                outcome.outageMinutes[demo.site.code] = one.outageMinutes[demo.site.code]
                outcome.agents += one.agents
                done += 1
                if done % 8 == 0 || done == todo.count { progress("\(done)/\(todo.count) sites uploaded, \(outcome.samples) samples") }
                start()
            }
        }
        outcome.created.sort { $0.index < $1.index }
        return outcome
    }

    /// One site: a token, an agent, and its history batch by batch in time order.
    func fill(_ demo: DemoSite, seed: UInt64, days: Int, now: TimestampMs) async throws -> Outcome {
        let token = try await json("POST", "/api/v1/admin/tokens", token: adminToken, body: ["site": demo.site.code, "valid_hours": 1], expect: 201)
        let enrolled = try await json("POST", "/api/v1/enroll", token: nil,
                                      body: ["token": token["token"] as? String ?? "", "hostname": "demo-" + demo.site.code.lowercased()], expect: 201)
        let agent = "\(enrolled["agent_id"] as? String ?? ""):\(enrolled["secret"] as? String ?? "")"
        let history = DemoHistory(site: demo, seed: seed, days: days, now: now)
        var outcome = Outcome()
        outcome.outageMinutes[demo.site.code] = history.outageMinutes
        outcome.agents = [(history, agent)]
        for batch in history.batches() {
            let body = Deflate.compress(batch.encoded(), level: 6)
            outcome.retries += try await ingest(body, batch: batch, agent: agent)
            outcome.batches += 1
            outcome.samples += batch.sampleCount
            outcome.events += batch.events.count
            outcome.bytes += body.count
        }
        return outcome
    }

    /// After the history, every site's agent goes on reporting each `every` (a dark site stays silent),
    /// so the pages stay live and no demo office goes quiet; until cancelled (`scripts/run` stops it).
    public func keepReporting(_ outcome: Outcome, every: Duration = .seconds(60), progress: @Sendable (String) -> Void = { _ in }) async throws {
        var sent = Dictionary(outcome.agents.map { ($0.history.site.site.code, $0.history.to) }) { a, _ in a }
        while !Task.isCancelled {
            try await Task.sleep(for: every)
            let now = WallClock.nowMs()
            var samples = 0
            for (history, agent) in outcome.agents where history.site.trouble != .dark {
                let code = history.site.site.code
                let from = sent[code] ?? now
                let to = now
                guard to > from else { continue }
                let batch = history.continuation(from: from, to: to)
                _ = try await ingest(Deflate.compress(batch.encoded(), level: 6), batch: batch, agent: agent)
                sent[code] = to
                samples += batch.sampleCount
            }
            progress("still reporting: \(samples) samples from \(outcome.agents.count) sites")
        }
    }

    /// Sends one batch until the collector stores it; returns how many times it was told to wait.
    func ingest(_ body: [UInt8], batch: WireBatch, agent: String) async throws -> Int {
        var waits = 0
        while true {
            var request = CurlRequest(url: collector + "/api/v1/ingest")
            request.body = body
            request.headers = ["Authorization: Bearer \(agent)", "Content-Type: application/x-cwb", "Content-Encoding: deflate",
                               "CW-Batch: \(Hex.encode(batch.id))", "Expect:"]
            request.timeout = .seconds(120)
            request.reuseConnection = true
            request.userAgent = "commune-collector demo"
            let response = try await perform(request)
            switch response.status {
            case 200:
                return waits
            case 429, 503:
                waits += 1
                guard waits <= 60 else { throw DemoError("the collector kept answering \(response.status) for batch \(Hex.encode(batch.id)) of \(batch.site)") }
                let seconds = Double(response.headers["retry-after"] ?? "") ?? 1
                try await Task.sleep(for: .milliseconds(Int(min(max(seconds, 0.1), 30) * 1000)))
            default:
                throw DemoError("ingest of \(batch.site)'s batch refused: \(response.status) \(String(decoding: response.body, as: UTF8.self))")
            }
        }
    }

    /// A JSON request; anything but `expect` is an error carrying the collector's own words.
    func json(_ method: String, _ path: String, token: String?, body: [String: Any]?, expect: Int) async throws -> [String: Any] {
        var request = CurlRequest(url: collector + path)
        if method != "GET" { request.method = method }
        if let body { request.body = [UInt8](try JSONSerialization.data(withJSONObject: body)) }
        request.headers = ["Content-Type: application/json", "Expect:"] + (token.map { ["Authorization: Bearer \($0)"] } ?? [])
        request.timeout = .seconds(30)
        request.bodyLimit = 64 << 20
        request.userAgent = "commune-collector demo"
        let response = try await perform(request)
        let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
        guard response.status == expect else {
            throw DemoError("\(method) \(path): the collector answered \(response.status): \(object["error"] as? String ?? String(decoding: response.body, as: UTF8.self))")
        }
        return object
    }

    func perform(_ request: CurlRequest) async throws -> CurlResponse {
        do { return try await http.perform(request) } catch {
            throw DemoError("cannot reach the collector at \(collector): \(error.message)")
        }
    }
}

/// Why the demo could not be put in place, in words for the terminal.
public struct DemoError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
