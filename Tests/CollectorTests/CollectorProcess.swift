import Foundation
import Testing
import TestSupport

/// Where a test's collector keeps its data: the same tests run on both.
enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres
    var testDescription: String { rawValue }
}

/// A `commune-collector serve` of the test's own: fresh data directory, any free loopback port.
final class CollectorProcess: @unchecked Sendable {
    let process: Process
    let data: String
    let port: Int
    let adminToken: String
    /// The PostgreSQL URL it uses; nil for SQLite under `data`.
    let database: String?

    /// A new collector, or one restarted on the data directory (or database) of an earlier one.
    /// The CA of the collector's certificate when it serves HTTPS.
    let caFile: String?

    /// `database`: a PostgreSQL URL shared with another collector (then `adminToken` is that collector's).
    /// The address it listens on (127.0.0.1, or an address inside `namespace`).
    let host: String

    init(data existing: String? = nil, backend: Backend = .sqlite, database shared: String? = nil, adminToken sharedToken: String? = nil,
         options: [String] = [], caFile: String? = nil, namespace: String? = nil, host: String = "127.0.0.1") throws {
        self.caFile = caFile
        self.host = host
        data = existing ?? scratchDirectory("collector-data")
        database = try shared ?? (backend == .postgres ? try PostgresPeer.shared.get().newDatabase() : nil)
        try? FileManager.default.removeItem(atPath: data + "/port")
        if let sharedToken { try (sharedToken + "\n").write(toFile: data + "/admin-token", atomically: true, encoding: .utf8) }
        let serve = ["serve", "--listen", "\(host):0", "--data", data] + (database.map { ["--database", $0] } ?? []) + options
        // Inside a namespace: `ip netns exec` execs the collector, so the process is the collector itself.
        let log = data + "/collector.log"
        if let namespace {
            process = try startAgentProcess(["netns", "exec", namespace, try collectorBinary()] + serve, binary: "/usr/sbin/ip", log: log)
        } else {
            process = try startAgentProcess(serve, binary: try collectorBinary(), log: log)
        }
        let deadline = Date().addingTimeInterval(30)
        var port: Int?
        while port == nil && Date() < deadline {
            port = (try? String(contentsOfFile: data + "/port", encoding: .utf8)).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            if port == nil { Thread.sleep(forTimeInterval: 0.05) }
        }
        guard let port, let token = try? String(contentsOfFile: data + "/admin-token", encoding: .utf8) else {
            process.terminate()
            throw PeerError("the collector did not start: \((try? String(contentsOfFile: data + "/collector.log", encoding: .utf8)) ?? "")")
        }
        self.port = port
        adminToken = token.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    var url: String { "\(caFile == nil ? "http" : "https")://\(host):\(port)" }

    /// The options that point a `commune-collector` command at this collector's database.
    var storeOptions: [String] { ["--data", data] + (database.map { ["--database", $0] } ?? []) }

    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// One HTTP request through curl: status and body.
    func request(_ method: String, _ path: String, token: String? = nil, body: [UInt8]? = nil,
                 headers: [String] = []) throws -> (status: Int, body: String, json: [String: Any]) {
        var arguments = ["-s", "-o", "-", "-w", "\n%{http_code}", "-X", method, url + path, "-H", "Expect:"]
        if let caFile { arguments += ["--cacert", caFile] }
        if let token { arguments += ["-H", "Authorization: Bearer \(token)"] }
        for h in headers { arguments += ["-H", h] }
        if let body {
            let file = data + "/request-\(UInt32.random(in: 0...UInt32.max))"
            FileManager.default.createFile(atPath: file, contents: Data(body))
            arguments += ["--data-binary", "@" + file]
        }
        let result = try run("/usr/bin/curl", arguments, timeout: 60)
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let status = Int(lines.last ?? "") ?? 0
        let text = lines.dropLast().joined(separator: "\n")
        let json = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
        return (status, text, json)
    }

    func json(_ method: String, _ path: String, token: String? = nil, _ object: [String: Any]) throws -> (status: Int, body: String, json: [String: Any]) {
        try request(method, path, token: token, body: [UInt8](try JSONSerialization.data(withJSONObject: object)),
                    headers: ["Content-Type: application/json"])
    }

    /// A site in the registry with an agent enrolled for it: the agent's bearer token `AGENT_ID:SECRET`.
    func enrolledAgent(site: String, name: String? = nil) throws -> String {
        let token = try enrollmentToken(site: site, name: name ?? site)
        let reply = try json("POST", "/api/v1/enroll", ["token": token, "hostname": "pc"])
        guard reply.status == 201 else { throw PeerError("enroll: \(reply.status) \(reply.body)") }
        return "\(reply.json["agent_id"] as? String ?? ""):\(reply.json["secret"] as? String ?? "")"
    }

    /// A site in the registry and a one-time token for it.
    func enrollmentToken(site: String, name: String) throws -> String {
        let created = try json("POST", "/api/v1/admin/sites", token: adminToken, ["code": site, "name": name, "kind": "commune"])
        guard created.status == 201 else { throw PeerError("site: \(created.status) \(created.body)") }
        let token = try json("POST", "/api/v1/admin/tokens", token: adminToken, ["site": site])
        guard token.status == 201, let value = token.json["token"] as? String else { throw PeerError("token: \(token.status) \(token.body)") }
        return value
    }
}
