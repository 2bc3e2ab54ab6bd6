import Foundation

/// The repository root, found from this file's path.
public let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// True when the tests run as root (namespaces, raw sockets, nftables need it).
public let runningAsRoot: Bool = getuid() == 0

/// A test peer process (Python server) that lives as long as the test process: it exits when its
/// standard input closes, so a crashed test run leaves nothing behind.
public final class PeerProcess: @unchecked Sendable {
    public let process = Process()
    private let stdin = Pipe()

    public init(_ executable: String, _ arguments: [String], log: String) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // Debian's python3 for the peers: the snmpsim venv and the tests agree on one interpreter.
        let interpreter = executable == "python3" && FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : executable
        process.arguments = [interpreter] + arguments
        process.standardInput = stdin
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let handle = FileHandle(forWritingAtPath: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    deinit {
        try? stdin.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
    }

    /// Waits (bounded) until `path` exists and is non-empty, and returns its contents.
    public func waitForFile(_ path: String, seconds: Double = 20) throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: path, encoding: .utf8), !text.isEmpty { return text }
            guard process.isRunning else { throw PeerError("peer exited before it was ready: \(process.arguments ?? [])") }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw PeerError("peer not ready after \(seconds) s: \(process.arguments ?? [])")
    }
}

/// A test peer that did not start.
public struct PeerError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A scratch directory under /tmp, readable by everyone (privilege-dropped runs read files from it).
public func scratchDirectory(_ name: String) -> String {
    let path = NSTemporaryDirectory() + "communewatch-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true,
                                            attributes: [.posixPermissions: 0o755])
    return path
}

/// The HTTPS peer: valid and expired certificates from one test CA, plus plain HTTP.
public struct HTTPSPeer: Sendable {
    public let https: Int
    public let expired: Int
    public let http: Int
    public let directory: String
    public var caFile: String { directory + "/ca.pem" }

    /// One peer for the whole test process, started on first use.
    public static let shared: Result<HTTPSPeer, PeerError> = {
        do {
            let dir = scratchDirectory("https")
            let peer = try PeerProcess("python3", [repositoryRoot.path + "/Tests/Peers/https_peer.py", "--dir", dir, "--lifetime", "1800"],
                                       log: dir + "/peer.log")
            let text = try peer.waitForFile(dir + "/ports.json")
            keepAlive.append(peer)
            let ports = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Int] ?? [:]
            guard let https = ports["https"], let expired = ports["expired"], let http = ports["http"] else {
                throw PeerError("bad ports.json: \(text)")
            }
            return .success(HTTPSPeer(https: https, expired: expired, http: http, directory: dir))
        } catch let error as PeerError {
            return .failure(error)
        } catch {
            return .failure(PeerError("\(error)"))
        }
    }()
}

/// The DNS peer: answers by name (`*.ok.test`, `*.nx.test`, `*.fail.test`, `*.refuse.test`, `*.silent.test`, `*.big.test`).
public struct DNSPeer: Sendable {
    public let port: Int

    public static let shared: Result<DNSPeer, PeerError> = {
        let dir = scratchDirectory("dns")
        return startPeer("dns_peer.py", ["--port-file", dir + "/port", "--lifetime", "1800"], directory: dir, readyFile: dir + "/port")
            .flatMap { text in Result { () throws(PeerError) in DNSPeer(port: Int(try readPort(text))) } }
    }()
}

/// Starts a peer script, waits for its ready file and keeps it running for the rest of the test process.
func startPeer(_ script: String, _ arguments: [String], directory: String, readyFile: String, seconds: Double = 20)
    -> Result<String, PeerError> {
    do {
        let peer = try PeerProcess("python3", [repositoryRoot.path + "/Tests/Peers/" + script] + arguments, log: directory + "/peer.log")
        let text = try peer.waitForFile(readyFile, seconds: seconds)
        keepAlive.append(peer)
        return .success(text)
    } catch let error as PeerError {
        return .failure(error)
    } catch {
        return .failure(PeerError("\(error)"))
    }
}

/// The port number a peer wrote to its ready file.
func readPort(_ text: String) throws(PeerError) -> UInt16 {
    guard let port = UInt16(text.trimmingCharacters(in: .whitespacesAndNewlines)) else { throw PeerError("bad port file: \(text)") }
    return port
}

/// Peers stay referenced for the life of the test process.
nonisolated(unsafe) private var keepAlive: [PeerProcess] = []

/// `run` off the shared pool, awaited (see `offThePool`).
public func runAwaited(_ executable: String, _ arguments: [String], timeout: Double = 120,
                       environment: [String: String]? = nil) async throws -> (status: Int32, stdout: String, stderr: String) {
    try await offThePool { try run(executable, arguments, timeout: timeout, environment: environment) }
}

/// Runs a command to completion (bounded) and returns its exit status and output.
@discardableResult
public func run(_ executable: String, _ arguments: [String], timeout: Double = 120, environment: [String: String]? = nil)
    throws -> (status: Int32, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable.hasPrefix("/") ? executable : "/usr/bin/env")
    process.arguments = executable.hasPrefix("/") ? arguments : [executable] + arguments
    if let environment { process.environment = environment }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    // Read while it runs so a full pipe cannot block it.
    nonisolated(unsafe) var outData = Data(), errData = Data()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async { outData = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
    group.enter()
    DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
    if process.isRunning { process.terminate() }
    process.waitUntilExit()
    group.wait()
    return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
}

/// The agent executable built by `swift build`.
public func agentBinary() throws -> String { try builtBinary("commune-agent") }

/// The `commune-collector` built beside the tests.
public func collectorBinary() throws -> String { try builtBinary("commune-collector") }

func builtBinary(_ name: String) throws -> String {
    let self_ = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? "")
    var candidates = [self_.deletingLastPathComponent().appendingPathComponent(name).path]
    for dir in [".build/debug", ".build/release"] {
        candidates.append(repositoryRoot.appendingPathComponent(dir + "/" + name).path)
    }
    guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
        throw PeerError("\(name) not built; looked in \(candidates)")
    }
    return found
}

/// Two hosts in network namespaces made by `Tests/Peers/netns.sh` (needs root).
/// A collector host reachable over two paths, the dedicated line and 4G (Tests/Peers/twopath.sh).
public enum TwoPathNetwork {
    public static let prefix = "cwp"
    public static let namespace = "cwpc", collector = "198.18.3.2"
    public static let dedicatedInterface = "cwpd", fallbackInterface = "cwpg"
    public static let dedicatedAddress = "198.18.3.1", fallbackAddress = "198.18.4.1"

    public static func script(_ command: String) throws {
        let result = try run("/bin/bash", [repositoryRoot.path + "/Tests/Peers/twopath.sh", command, prefix], timeout: 30)
        guard result.status == 0 else { throw PeerError("twopath.sh \(command) failed: \(result.stderr)") }
    }

    /// One test at a time has the network (tests run in parallel); the others wait as tasks.
    private static let turn = BlockingSlots(count: 1)

    /// Runs `body` with the network up and no other test using it. The body runs off the shared
    /// pool (`offThePool`): it waits for minutes, and on a 2-core CI blocking there stalled every
    /// async test (HTTP probes, notifier retries timed out).
    public static func exclusive<T>(_ body: () throws -> T) async throws -> T {
        try await turn.withTurn {
            try await offThePool {
                try script("up")
                defer { try? script("down") }
                return try body()
            }
        }
    }
}

public enum TestNetwork {
    public static let prefix = "cwt"
    public static let hostA = "198.18.1.2", hostB = "198.18.2.2"
    public static let hostA6 = "2001:db8:1::2"
    public static let interfaceA = "cwtva", interfaceB = "cwtvb"
    public static let namespaceA = "cwta", namespaceB = "cwtb"

    public static func script(_ arguments: [String]) throws {
        let result = try run("/bin/bash", [repositoryRoot.path + "/Tests/Peers/netns.sh"] + arguments, timeout: 30)
        guard result.status == 0 else { throw PeerError("netns.sh \(arguments.joined(separator: " ")) failed: \(result.stderr)") }
    }

    public static func up() throws { try script(["up", prefix]) }
    public static func down() throws { try script(["down", prefix]) }
    public static func drop(percent: Int) throws { try script(["drop", prefix, "a", String(percent)]) }
    public static func clear() throws { try script(["clear", prefix, "a"]) }
}

/// Debian's snmpd on a loopback port: community `cwpublic`; v3 users `cwpriv` (SHA `authpass123`,
/// AES `privpass123`) and `cwauth` (SHA `authpass123`, no privacy); under 1.3.6.1.4.1.99999.1 a
/// Counter32 that wraps (`.1.0`), its Counter64 twin (`.2.0`); `touch DIR/reboot` restarts it.
public struct SNMPDPeer: Sendable {
    public let port: UInt16
    public let directory: String

    public static let shared: Result<SNMPDPeer, PeerError> = start()

    /// A peer of the test's own, for a test that changes the device (its snmpd.conf, a reboot).
    public static func start() -> Result<SNMPDPeer, PeerError> {
        let dir = scratchDirectory("snmpd")
        return startPeer("snmpd_peer.py", ["--dir", dir, "--lifetime", "1800"], directory: dir, readyFile: dir + "/port", seconds: 30)
            .flatMap { text in Result { () throws(PeerError) in SNMPDPeer(port: try readPort(text), directory: dir) } }
    }

    /// Restarts snmpd (a device reboot) and waits until it answers again.
    public func reboot() throws {
        _ = FileManager.default.createFile(atPath: directory + "/reboot", contents: nil)
        let deadline = Date().addingTimeInterval(20)
        while FileManager.default.fileExists(atPath: directory + "/reboot") {
            guard Date() < deadline else { throw PeerError("snmpd did not come back after a reboot") }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }
}

/// snmpsim serving recordings of real devices; the community picks the recording:
/// `router` (Cisco IOS), `switch` (Cisco C3750), `linux` (net-snmp on Linux), `counters` (moving counters).
public struct SNMPSimPeer: Sendable {
    public let port: UInt16
    public static let recordings = ["router", "switch", "linux"]

    public static let shared: Result<SNMPSimPeer, PeerError> = {
        let dir = scratchDirectory("snmpsim")
        return startPeer("snmpsim_peer.py", ["--port-file", dir + "/port", "--lifetime", "1800"], directory: dir, readyFile: dir + "/port", seconds: 60)
            .flatMap { text in Result { () throws(PeerError) in SNMPSimPeer(port: try readPort(text)) } }
    }()
}

/// The stand-in collector (`collector_stub.py`): one per test, answering as its mode file says.
public final class CollectorStub: @unchecked Sendable {
    public let directory: String
    public let port: Int
    public let token: String
    private let process: PeerProcess

    /// The address the stub listens on.
    public let host: String

    /// The test CA's file when the stub serves HTTPS.
    public let caFile: String?

    /// A stub on loopback, or inside network namespace `namespace` listening on `host`; over HTTPS
    /// with the certificates of `tls` (the HTTPS peer's test CA) when given.
    public init(token: String = "agent-1:s3cret", namespace: String? = nil, host: String = "127.0.0.1", tls: HTTPSPeer? = nil) throws {
        directory = scratchDirectory("collector")
        self.token = token
        self.host = host
        caFile = tls?.caFile
        let arguments = [repositoryRoot.path + "/Tests/Peers/collector_stub.py", "--dir", directory, "--token", token,
                         "--bind", host, "--lifetime", "600"] + (tls.map { ["--tls-dir", $0.directory] } ?? [])
        if let namespace {
            process = try PeerProcess("ip", ["netns", "exec", namespace, "python3"] + arguments, log: directory + "/peer.log")
        } else {
            process = try PeerProcess("python3", arguments, log: directory + "/peer.log")
        }
        port = Int(try readPort(try process.waitForFile(directory + "/port")))
    }

    public var url: String { "\(caFile == nil ? "http" : "https")://\(host):\(port)" }

    /// accept, refuse, error500, toolarge, unauth, garbage, slow, reset.
    public func set(mode: String) throws { try mode.write(toFile: directory + "/mode", atomically: true, encoding: .utf8) }

    /// The bodies stored, one per batch id, in the order they first arrived.
    public func storedBodies() -> [[UInt8]] {
        let dir = directory + "/batches"
        var seen = Set<String>()
        let order = requests().filter { ["accept", "forget"].contains($0.mode) && seen.insert($0.batch).inserted }.map(\.batch)
        return order.compactMap { FileManager.default.contents(atPath: dir + "/" + $0).map { [UInt8]($0) } }
    }

    /// Every upload request in arrival order: mode, batch id, the path it says it took, and where it came from.
    public func requests() -> [(mode: String, batch: String, path: String, client: String, bytes: Int, time: Double)] {
        let text = (try? String(contentsOfFile: directory + "/requests.jsonl", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            return (object["mode"] as? String ?? "", object["batch"] as? String ?? "", object["path"] as? String ?? "",
                    object["client"] as? String ?? "", object["bytes"] as? Int ?? 0, object["time"] as? Double ?? 0)
        }
    }
}

/// Agents started by tests, killed when the test process exits, so a test that throws half-way
/// never leaves an agent running (the peers already exit when their stdin closes).
private let trackedLock = NSLock()
nonisolated(unsafe) private var trackedAgents: [pid_t] = []
private let killTrackedAtExit: Void = {
    atexit {
        trackedLock.lock()
        for pid in trackedAgents { kill(pid, SIGKILL) }
        trackedLock.unlock()
    }
}()

/// Registers an agent process for killing at exit.
public func track(_ process: Process) {
    _ = killTrackedAtExit
    trackedLock.lock()
    trackedAgents.append(process.processIdentifier)
    trackedLock.unlock()
}

/// Writes `config` to DIR/agent.toml and starts `commune-agent run` on it, spool and log in DIR.
public func launchAgent(config: String, in dir: String) throws -> Process {
    try config.write(toFile: dir + "/agent.toml", atomically: true, encoding: .utf8)
    return try startAgentProcess(["run", "--config", dir + "/agent.toml", "--spool", dir + "/spool.db"], log: dir + "/agent.log")
}

/// Starts `commune-agent ARGUMENTS` (or `binary`; its output to `log`, or discarded), tracked so it is killed at the latest
/// when the test process exits.
public func startAgentProcess(_ arguments: [String], binary: String? = nil, log: String? = nil) throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try binary ?? agentBinary())
    process.arguments = arguments
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = FileHandle.nullDevice
    if let log {
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let handle = FileHandle(forWritingAtPath: log)
        process.standardError = handle
        process.standardOutput = handle
    } else {
        process.standardError = FileHandle.nullDevice
    }
    try process.run()
    track(process)
    return process
}

/// The PostgreSQL peer: a cluster of the test process's own on a loopback port, a new database per test.
public struct PostgresPeer: Sendable {
    public let port: Int
    public static let password = "cw-test"

    public static let shared: Result<PostgresPeer, PeerError> = {
        let dir = scratchDirectory("postgres")
        return startPeer("postgres_peer.py", ["--dir", dir, "--lifetime", "3600"], directory: dir, readyFile: dir + "/port", seconds: 60)
            .flatMap { text in Result { () throws(PeerError) in PostgresPeer(port: Int(try readPort(text))) } }
    }()

    /// `postgres://` URL of `database` as the superuser.
    public func url(_ database: String, password: String = PostgresPeer.password) -> String {
        "postgres://postgres:\(password)@127.0.0.1:\(port)/\(database)?sslmode=disable"
    }

    /// A new, empty database; its URL.
    public func newDatabase() throws -> String {
        let name = "cw_\(getpid())_\(UInt32.random(in: 0...UInt32.max))"
        let result = try run("/usr/bin/psql", ["-v", "ON_ERROR_STOP=1", "-q", "-c", "CREATE DATABASE \(name)", url("postgres")], timeout: 30)
        guard result.status == 0 else { throw PeerError("CREATE DATABASE: \(result.stderr)") }
        return url(name)
    }
}

/// A receiver of the test's own that records every POST (webhook_peer.py): one per test.
public final class WebhookPeer: @unchecked Sendable {
    public let port: Int
    public let directory: String
    let process: PeerProcess

    /// On loopback, or on the loopback of network namespace `namespace` (beside a collector there);
    /// it exits by itself after `lifetime` seconds.
    public init(namespace: String? = nil, lifetime: Int = 900) throws {
        let dir = scratchDirectory("webhook")
        directory = dir
        let arguments = [repositoryRoot.path + "/Tests/Peers/webhook_peer.py", "--dir", dir, "--lifetime", String(lifetime)]
        process = try namespace.map { try PeerProcess("ip", ["netns", "exec", $0, "python3"] + arguments, log: dir + "/peer.log") }
            ?? PeerProcess("python3", arguments, log: dir + "/peer.log")
        port = Int(try readPort(try process.waitForFile(directory + "/port")))
    }

    public var url: String { "http://127.0.0.1:\(port)/hook" }

    /// "ok", "down" (503), "error" (500), "error-if:TEXT" (500 when the path holds TEXT) or "reset".
    public func set(mode: String) throws { try mode.write(toFile: directory + "/mode", atomically: true, encoding: .utf8) }

    /// The body of a 200 answer (`{}` until set).
    public func set(reply: String) throws { try reply.write(toFile: directory + "/reply", atomically: true, encoding: .utf8) }

    /// Every request's path and raw body, in arrival order.
    public func requests() -> [(path: String, body: String)] {
        records().map { ($0["path"] as? String ?? "", $0["body"] as? String ?? "") }
    }

    /// Every request so far: its JSON body, the status it was answered with, when (seconds since the epoch).
    public func received() -> [(body: [String: Any], answered: Int, time: Double)] {
        records().map { record in
            let json = (try? JSONSerialization.jsonObject(with: Data((record["body"] as? String ?? "").utf8))) as? [String: Any] ?? [:]
            return (json, record["answered"] as? Int ?? 0, record["time"] as? Double ?? 0)
        }
    }

    /// The peer's log, one object per request.
    func records() -> [[String: Any]] {
        let text = (try? String(contentsOfFile: directory + "/received.jsonl", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
    }
}
