import Foundation
import Testing
import TestSupport

/// One office network of a scenario's own (Tests/Peers/twopath.sh with a prefix and subnet no
/// other test uses), so several scenarios run at the same time: the collector's host in namespace
/// `PREFIXc`, reached over the dedicated line `PREFIXd` (198.18.NET.0/24) and over 4G `PREFIXg`.
struct ScenarioNetwork: Sendable {
    let prefix: String
    let net: Int

    var namespace: String { prefix + "c" }
    var collector: String { "198.18.\(net).2" }
    var dedicatedInterface: String { prefix + "d" }
    var fallbackInterface: String { prefix + "g" }

    func script(_ arguments: String...) throws {
        let result = try run("/bin/bash", [repositoryRoot.path + "/Tests/Peers/twopath.sh"] + arguments, timeout: 30)
        guard result.status == 0 else { throw PeerError("twopath.sh \(arguments.joined(separator: " ")) failed: \(result.stderr)") }
    }

    func up() throws { try script("up", prefix, String(net)) }
    func down() throws { try script("down", prefix, String(net)) }
    /// The line drops everything.
    func cut() throws { try script("cut", prefix) }
    /// The line drops `percent` % of the packets crossing it, each way.
    func loss(percent: Int) throws { try script("loss", prefix, String(percent)) }
    /// The line carries everything again.
    func restore() throws { try script("restore", prefix) }

    /// Whether the namespace exists (`ip netns list`).
    var exists: Bool {
        let listed = (try? run("/usr/sbin/ip", ["netns", "list"], timeout: 10).stdout) ?? ""
        return listed.split(separator: "\n").contains { $0.split(separator: " ").first.map(String.init) == namespace }
    }
}

/// A notification as the team's receiver got it: one alert of one webhook POST.
struct ReceivedNotice {
    let time: Double
    /// The HTTP status the receiver answered (200: delivered).
    let answered: Int
    let labels: [String: String]
    let change: String
    let status: String

    var alert: String { labels["alertname"] ?? "" }
}

/// The pieces of an end-to-end alerting scenario with real processes: a network of its own, a
/// collector with rules in its namespace, a webhook receiver beside it, `commune-agent run`
/// agents in the root namespace probing the collector over the dedicated line (10 s probes), and
/// everything stopped and removed by `stop()`, which the test calls in a `defer`.
final class AlertScenario: @unchecked Sendable {
    let network: ScenarioNetwork
    let peer: WebhookPeer
    let collector: CollectorProcess
    private(set) var agents: [(site: String, process: Process, dir: String)] = []
    let started = Date().timeIntervalSince1970

    /// Network up, receiver and collector started with the rules in `rules` (a directory). With
    /// `team`, the receiver is that team's own, through a routing file covering the district
    /// Sơn Tịnh; without, it gets every notice (`--webhook`).
    init(network: ScenarioNetwork, rules: String, team: String? = nil, lifetime: Int = 1800, options: [String] = []) throws {
        self.network = network
        try network.up()
        do {
            peer = try WebhookPeer(namespace: network.namespace, lifetime: lifetime)
            var receiver = ["--webhook", peer.url]
            if let team {
                try """
                    receivers:
                      - {name: \(team), kind: webhook, url: "\(peer.url)"}
                    people:
                      - {name: Nguyễn Văn An, email: an.nv@example.gov.vn}
                    teams:
                      - {name: Đội Sơn Tịnh, districts: [Sơn Tịnh], members: [Nguyễn Văn An], receivers: [\(team)], lead: Nguyễn Văn An}
                    route:
                      team_receivers: true
                      group_interval: 30s     # the team hears the line is back within 30 s of the last message
                    """.write(toFile: rules + "/routing.yml", atomically: true, encoding: .utf8)
                receiver = []
            }
            collector = try CollectorProcess(options: ["--alert-rules", rules] + receiver + options,
                                             namespace: network.namespace, host: network.collector)
        } catch {
            try? network.down()
            throw error
        }
    }

    /// Agents, collector and receiver stopped; the namespace, veths and routing rule removed.
    func stop() {
        for agent in agents where agent.process.isRunning { kill(agent.process.processIdentifier, SIGTERM) }
        let deadline = Date().addingTimeInterval(10)
        while agents.contains(where: { $0.process.isRunning }) && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        for agent in agents where agent.process.isRunning { kill(agent.process.processIdentifier, SIGKILL) }
        collector.stop()
        try? peer.set(mode: "ok")
        do { try network.down() } catch { Issue.record("\(error)") }
        #expect(!network.exists, "namespace \(network.namespace) left behind")
    }

    /// Seconds since the scenario started, for timelines.
    func elapsed(_ time: Double = Date().timeIntervalSince1970) -> Double { time - started }

    // MARK: sites and agents

    /// Registers sites from a CSV in the registry's format (the province's list), by the admin API.
    func importSites(_ rows: [(code: String, name: String, upstream: String)], district: String = "Sơn Tịnh") throws {
        var csv = "code,name,kind,district,province,latitude,longitude,upstream,team,contacts\n"
        for row in rows { csv += "\(row.code),\(row.name),commune,\(district),Quảng Ngãi,,,\(row.upstream),Đội 1,\n" }
        let reply = try collector.request("POST", "/api/v1/admin/sites/import", token: collector.adminToken, body: Array(csv.utf8),
                                          headers: ["Content-Type: text/csv"])
        guard reply.status == 200 || reply.status == 201 else { throw PeerError("site import: \(reply.status) \(reply.body)") }
    }

    /// Enrolls an agent for `site` (already registered) with `commune-agent enroll`, then starts
    /// `commune-agent run` on what an office would run: a TCP probe of the collector over the
    /// dedicated line every 10 s (1 s timeout), `probes` besides, 4G as fallback.
    @discardableResult
    func launchAgent(site: String, probes extra: String = "") throws -> Process {
        let dir = scratchDirectory("scenario-agent-" + site)
        let token = try collector.json("POST", "/api/v1/admin/tokens", token: collector.adminToken, ["site": site])
        guard token.status == 201, let value = token.json["token"] as? String else { throw PeerError("token: \(token.status) \(token.body)") }
        let enrolled = try run(try agentBinary(), ["enroll", "--collector", collector.url, "--token", value, "--credentials", dir + "/credentials.json"])
        guard enrolled.status == 0 else { throw PeerError("enroll \(site): \(enrolled.stderr)") }
        // As in LineCutAlertTests: the agent's own confirmation defaults (a failure re-probed twice,
        // 1 s apart), a 3 s connect timeout, a 30 s flush instead of 5 minutes (state changes go at once anyway).
        let process = try TestSupport.launchAgent(config: """
            [agent]
            site = "\(site)"
            [collector]
            credentials = "\(dir)/credentials.json"
            connect_timeout = "3s"
            flush_interval = "30s"
            interface = "\(network.dedicatedInterface)"
            fallback_interface = "\(network.fallbackInterface)"
            [defaults]
            interval = "10s"
            timeout = "1s"
            [[probe]]
            name = "line"
            kind = "tcp"
            target = "\(network.collector):\(collector.port)"
            interface = "\(network.dedicatedInterface)"
            path = "dedicated"
            \(extra)
            """, in: dir)
        agents.append((site, process, dir))
        return process
    }

    /// Resident memory (MiB) and CPU seconds of the running agents, summed, from /proc.
    func agentUsage() -> (rssMiB: Double, cpuSeconds: Double) {
        var rss = 0.0, cpu = 0.0
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        for agent in agents where agent.process.isRunning {
            let pid = agent.process.processIdentifier
            if let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
               let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
               let kb = Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") {
                rss += kb / 1024
            }
            if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
               let close = stat.lastIndex(of: ")") {
                let fields = stat[stat.index(after: close)...].split(separator: " ")
                // utime and stime are fields 14 and 15; after the ")" the first field is 3.
                if fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) { cpu += (user + system) / ticks }
            }
        }
        return (rss, cpu)
    }

    // MARK: what the collector and the receiver say

    /// A GET of the collector's API from its own host (inside the namespace), so the answer comes
    /// whatever the test does to the office's line; with the admin token when `admin`.
    func get(_ path: String, admin: Bool = false) throws -> [String: Any] {
        var arguments = ["netns", "exec", network.namespace, "/usr/bin/curl", "-s", "-m", "20", "-f", collector.url + path]
        if admin { arguments += ["-H", "Authorization: Bearer \(collector.adminToken)"] }
        let reply = try run("/usr/sbin/ip", arguments, timeout: 30)
        guard reply.status == 0, let json = (try? JSONSerialization.jsonObject(with: Data(reply.stdout.utf8))) as? [String: Any] else {
            throw PeerError("GET \(path): curl exit \(reply.status) \(reply.stdout.prefix(300))")
        }
        return json
    }

    /// The latest `probe_path_up{path="dedicated"}` of each site.
    func lineUp() throws -> [String: Double] {
        var out: [String: Double] = [:]
        for series in try get("/api/v1/latest?metric=probe_path_up&path=dedicated")["series"] as? [[String: Any]] ?? [] {
            if let site = (series["labels"] as? [String: String])?["site"], let value = series["value"] as? Double { out[site] = value }
        }
        return out
    }

    /// The open incidents (pending, firing, acknowledged, flapping).
    func openIncidents() throws -> [[String: Any]] {
        try get("/api/v1/incidents", admin: true)["incidents"] as? [[String: Any]] ?? []
    }

    /// Every alert of every request the receiver got, in arrival order.
    func notices() -> [ReceivedNotice] {
        peer.received().flatMap { request in
            ((request.body["alerts"] as? [[String: Any]]) ?? []).map {
                ReceivedNotice(time: request.time, answered: request.answered, labels: $0["labels"] as? [String: String] ?? [:],
                               change: ($0["annotations"] as? [String: String])?["communewatch_change"] ?? "",
                               status: $0["status"] as? String ?? "")
            }
        }
    }

    /// Delivered notices only (what the team's phones got).
    func delivered() -> [ReceivedNotice] { notices().filter { $0.answered == 200 } }

    /// The delivery log (GET /api/v1/deliveries, admin token).
    func deliveries() throws -> [[String: Any]] {
        try get("/api/v1/deliveries", admin: true)["deliveries"] as? [[String: Any]] ?? []
    }

    /// One line per notice: when, what, where, how it was answered.
    func timeline(_ notices: [ReceivedNotice], from origin: Double) -> String {
        notices.map { n in
            let place = n.labels["site"] ?? n.labels["upstream"].map { "upstream \($0)" } ?? ""
            return String(format: "  t=%6.1f s  ", n.time - origin) + "\(n.alert) \(n.change) (\(n.status)) \(place) → HTTP \(n.answered)"
        }.joined(separator: "\n")
    }

    /// Waits (bounded, without holding a thread of the test pool) until `condition` holds.
    func waitFor(_ seconds: Double, every step: Double = 0.5, _ condition: () throws -> Bool) async rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            try? await Task.sleep(for: .milliseconds(Int(step * 1000)))
        }
        return try condition()
    }

    /// Sleeps without holding a thread of the test pool.
    func pause(_ seconds: Double) async {
        try? await Task.sleep(for: .milliseconds(Int(max(seconds, 0) * 1000)))
    }
}

/// What the test does to the line (or the receiver) and when, run on a thread of its own: the
/// tests of a CI run share a small pool of threads, and a scenario whose task waits there for a
/// turn must not stretch a 30 s cut into a minute. Each step's time is recorded as it is done.
final class Schedule: @unchecked Sendable {
    /// One step: seconds after the start, a name for the timeline, what to do.
    typealias Step = (at: Double, name: String, action: @Sendable () throws -> Void)

    private let lock = NSLock()
    private var log: [(name: String, time: Double)] = []
    private var failure: String?
    private var finished = false
    let start = Date().timeIntervalSince1970

    init(_ steps: [Step]) {
        let start = self.start
        Thread.detachNewThread { [self] in
            for step in steps.sorted(by: { $0.at < $1.at }) {
                let wait = start + step.at - Date().timeIntervalSince1970
                if wait > 0 { Thread.sleep(forTimeInterval: wait) }
                do {
                    try step.action()
                    lock.withLock { log.append((step.name, Date().timeIntervalSince1970)) }
                } catch {
                    lock.withLock { failure = "\(step.name): \(error)" }
                    break
                }
            }
            lock.withLock { finished = true }
        }
    }

    /// The steps done so far, with when.
    var done: [(name: String, time: Double)] { lock.withLock { log } }
    var isFinished: Bool { lock.withLock { finished } }

    /// Waits until every step is done (or one failed, which is thrown).
    func wait(progress: (Double) -> Void = { _ in }, every interval: Double = 60) async throws {
        var next = start + interval
        while !isFinished {
            try? await Task.sleep(for: .milliseconds(500))
            let now = Date().timeIntervalSince1970
            if now >= next {
                progress(now - start)
                next += interval
            }
        }
        if let failure = lock.withLock({ failure }) { throw PeerError("schedule step failed: \(failure)") }
    }
}

/// The shipped rules (alerts/rules.yml) copied into a directory of their own; with `settleAfter`,
/// DedicatedLineDown's `settle_after` (and nothing else) is set to it.
func shippedRules(settleAfter: String? = nil) throws -> String {
    var lines = try String(contentsOfFile: repositoryRoot.path + "/alerts/rules.yml", encoding: .utf8)
        .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    if let settleAfter {
        guard let start = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "- alert: DedicatedLineDown" }),
              let column = lines[start].range(of: "alert:").map({ lines[start].distance(from: lines[start].startIndex, to: $0.lowerBound) }) else {
            throw PeerError("alerts/rules.yml has no DedicatedLineDown rule")
        }
        let end = lines[(start + 1)...].firstIndex { $0.trimmingCharacters(in: .whitespaces).hasPrefix("- alert:") } ?? lines.endIndex
        let indent = String(repeating: " ", count: column)
        lines.removeSubrange((start + 1)..<end, where: { $0.hasPrefix(indent + "settle_after:") })
        lines.insert(indent + "settle_after: \(settleAfter)", at: start + 1)
    }
    let dir = scratchDirectory("shipped-rules")
    try lines.joined(separator: "\n").write(toFile: dir + "/rules.yml", atomically: true, encoding: .utf8)
    return dir
}

extension Array {
    /// Removes the elements in `range` that match `predicate`.
    fileprivate mutating func removeSubrange(_ range: Range<Int>, where predicate: (Element) -> Bool) {
        let kept = self[range].filter { !predicate($0) }
        replaceSubrange(range, with: kept)
    }
}
