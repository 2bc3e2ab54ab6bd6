import Foundation

/// A TCP port on 127.0.0.1 that was free a moment ago (for a peer the test starts later, or one
/// that cannot pick its own).
public func freeLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw PeerError("socket: errno \(errno)") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard bound else { throw PeerError("bind 127.0.0.1:0: errno \(errno)") }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// An SMTP sink (aiosmtpd, `Tests/Peers/smtp_peer.py`) that records every message: one per test.
/// Refuses recipients whose local part starts with "refused"; with `starttls`, refuses mail
/// before STARTTLS (certificate of a test CA, `caFile`); with `auth` ("user:password"), before AUTH.
public final class SMTPPeer: @unchecked Sendable {
    public let port: Int
    public let directory: String
    let implicitTLS: Bool
    let process: PeerProcess

    /// The interpreter scripts/setup-peers installs aiosmtpd for.
    public static let python = "/opt/communewatch/peers-venv/bin/python"

    /// `implicitTLS`: TLS from the first byte, for an `smtps://` URL.
    public init(port: Int? = nil, starttls: Bool = false, implicitTLS: Bool = false, auth: String? = nil) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.python) else {
            throw PeerError("\(Self.python) missing: run scripts/setup-peers")
        }
        directory = scratchDirectory("smtp")
        var arguments = [repositoryRoot.path + "/Tests/Peers/smtp_peer.py", "--dir", directory, "--lifetime", "900"]
        if let port { arguments += ["--port", String(port)] }
        if starttls { arguments.append("--starttls") }
        if implicitTLS { arguments.append("--implicit-tls") }
        self.implicitTLS = implicitTLS
        if let auth { arguments += ["--auth", auth] }
        process = try PeerProcess(Self.python, arguments, log: directory + "/peer.log")
        self.port = Int(try readPort(try process.waitForFile(directory + "/port", seconds: 60)))
    }

    public var url: String { "\(implicitTLS ? "smtps" : "smtp")://127.0.0.1:\(port)" }
    public var caFile: String { directory + "/ca.pem" }

    /// Every accepted message: `mail_from`, `rcpt_tos`, `data` (raw), `subject` and `body` (decoded
    /// by Python's email package), `headers` (raw), `tls`, `login`.
    public func messages() -> [[String: Any]] {
        let text = (try? String(contentsOfFile: directory + "/messages.jsonl", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
    }
}

/// Debian's Alertmanager on a free loopback port, with a receiver that sends nothing, its own
/// storage, and no cluster gossip: one per test, killed by its PID.
public final class AlertmanagerPeer: @unchecked Sendable {
    public let port: Int
    public let directory: String
    let process = Process()

    public static let binary = "/usr/bin/prometheus-alertmanager"

    public init() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else { throw PeerError("\(Self.binary) missing: run scripts/setup-deps") }
        directory = scratchDirectory("alertmanager")
        try """
            route:
              receiver: "null"
            receivers:
              - name: "null"
            """.write(toFile: directory + "/alertmanager.yml", atomically: true, encoding: .utf8)
        port = try freeLoopbackPort()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["--config.file=\(directory)/alertmanager.yml", "--storage.path=\(directory)/data",
                             "--web.listen-address=127.0.0.1:\(port)", "--cluster.listen-address=", "--log.level=warn"]
        process.standardInput = FileHandle.nullDevice
        _ = FileManager.default.createFile(atPath: directory + "/alertmanager.log", contents: nil)
        let log = FileHandle(forWritingAtPath: directory + "/alertmanager.log")
        process.standardOutput = log
        process.standardError = log
        try process.run()
        track(process)
    }

    deinit { stop() }

    public var url: String { "http://127.0.0.1:\(port)" }

    /// Kills it by its PID (never by name: other tests run Alertmanagers too) and waits, bounded.
    public func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    public var log: String { (try? String(contentsOfFile: directory + "/alertmanager.log", encoding: .utf8)) ?? "" }
}

extension WebhookPeer {
    /// Every request with its method, path (and query), headers, raw body and the status it got.
    public func requestDetails() -> [(method: String, path: String, headers: [String: String], body: String, answered: Int)] {
        records().map { record in
            (record["method"] as? String ?? "POST", record["path"] as? String ?? "", record["headers"] as? [String: String] ?? [:],
             record["body"] as? String ?? "", record["answered"] as? Int ?? 0)
        }
    }

    /// The peer's address without a path (a gateway or an API stand-in adds its own).
    public var receiverURL: String { "http://127.0.0.1:\(port)" }
}
