#if canImport(Glibc)
import Glibc
#endif
import Threads
import WatchModel

/// Measures the TCP three-way handshake to `host:port`.
public struct TCPConnectProbe: Probe {
    public var host: String
    public var port: UInt16
    public var ipPreference: IPPreference = .any
    /// The connect fails when it takes longer than this (beyond the timeout, which always fails).
    public var maxConnectTime: Duration?

    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    public func run(in context: ProbeContext) async throws(ProbeFailure) -> TCPConnectResult {
        let probe = self
        return try await DedicatedThread.measure { () throws(ProbeFailure) in
            try probe.connect(binding: context.binding, timeout: context.timeout)
        }
    }

    private func connect(binding: Binding, timeout: Duration) throws(ProbeFailure) -> TCPConnectResult {
        let target = try AddressResolver.resolve(host, port: port, prefer: ipPreference)[0]
        let name = "\(host):\(port)"
        let socket: Socket
        do { socket = try Socket(family: target.family, type: Int32(SOCK_STREAM.rawValue), protocol: 0) }
        catch { throw error.failure(target: name) }
        try socket.apply(binding)
        let start = MonotonicClock.nanoseconds()
        let deadline = start + timeout.nanoseconds
        let rc = target.withSockAddr { Glibc.connect(socket.fd, $0, $1) }
        if rc != 0 && errno != EINPROGRESS {
            throw SocketError(call: "connect", errno: errno).failure(target: name)
        }
        if rc != 0 {
            guard socket.wait(for: Int16(POLLOUT), until: deadline) else {
                throw ProbeFailure(.timeout, "no answer from \(name) within \(Self.format(timeout))")
            }
            let pending = socket.pendingError()
            if pending != 0 { throw SocketError(call: "connect", errno: pending).failure(target: name) }
        }
        let elapsed = Double(MonotonicClock.nanoseconds() - start) / 1e9
        var failure: ProbeFailure?
        if let limit = maxConnectTime, elapsed > limit.seconds {
            failure = ProbeFailure(.tooSlow, "connecting to \(name) took \(Self.format(.milliseconds(Int(elapsed * 1000)))) (limit \(Self.format(limit)))")
        }
        return TCPConnectResult(target: target, connectSeconds: elapsed, failure: failure)
    }

    static func format(_ duration: Duration) -> String {
        let ms = duration.seconds * 1000
        return ms >= 1000 ? "\(Double(Int(ms / 10)) / 100) s" : "\(Int(ms.rounded())) ms"
    }
}

/// How long the TCP handshake took, and to which address.
public struct TCPConnectResult: ProbeResult {
    public let target: SocketAddress
    public let connectSeconds: Double
    public let failure: ProbeFailure?

    public var measurements: [Measurement] {
        [Measurement(MetricCatalog.tcpConnect.name, connectSeconds),
         Measurement(MetricCatalog.ipProtocol.name, Double(target.ipVersion))]
    }

    public var facts: [String: String] { ["address": target.description] }
}
