#if canImport(Glibc)
import Glibc
#endif
import Threads
import WatchModel

/// Asks one resolver for one name and record type, over UDP with a TCP retry when the reply is truncated.
public struct DNSProbe: Probe {
    /// The resolver, `HOST` or `HOST:PORT` (`[V6]:PORT`); nil for the system's first resolver.
    public var resolver: String?
    public var name: String
    public var recordType: String = "A"
    /// The probe fails unless the rcode is one of these (default NOERROR).
    public var validRcodes: Set<Int> = [0]
    /// The probe fails on an empty answer when true.
    public var requireAnswer = false

    public init(resolver: String?, name: String) {
        self.resolver = resolver
        self.name = name
    }

    public func run(in context: ProbeContext) async throws(ProbeFailure) -> DNSResult {
        let probe = self
        return try await DedicatedThread.measure { () throws(ProbeFailure) in
            try probe.ask(binding: context.binding, timeout: context.timeout)
        }
    }

    private func ask(binding: Binding, timeout: Duration) throws(ProbeFailure) -> DNSResult {
        guard let server = resolver ?? SystemResolvers.list().first else {
            throw ProbeFailure(.badTarget, "no resolver given and none in /etc/resolv.conf")
        }
        guard let (host, port) = HostPort.split(server, defaultPort: 53) else {
            throw ProbeFailure(.badTarget, "resolver \(server) is not HOST, HOST:PORT or [IPv6]:PORT")
        }
        guard let type = DNSMessage.recordTypes[recordType.uppercased()] else {
            throw ProbeFailure(.badTarget, "unknown record type \(recordType)")
        }
        let address = try AddressResolver.resolve(host, port: port)[0]
        let id = UInt16.random(in: 0...UInt16.max)
        guard let query = DNSMessage.query(id: id, name: name, type: type) else {
            throw ProbeFailure(.badTarget, "\(name) is not a valid DNS name")
        }
        let start = MonotonicClock.nanoseconds()
        let deadline = start + timeout.nanoseconds
        var reply = try exchange(query, id: id, with: address, binding: binding, deadline: deadline, tcp: false)
        var usedTCP = false
        if reply.truncated {
            reply = try exchange(query, id: id, with: address, binding: binding, deadline: deadline, tcp: true)
            usedTCP = true
        }
        let elapsed = Double(MonotonicClock.nanoseconds() - start) / 1e9
        return DNSResult(probe: self, server: address, reply: reply, seconds: elapsed, overTCP: usedTCP)
    }

    private func exchange(_ query: [UInt8], id: UInt16, with server: SocketAddress, binding: Binding,
                          deadline: UInt64, tcp: Bool) throws(ProbeFailure) -> DNSMessage.Reply {
        let label = "resolver \(server.host)"
        let socket: Socket
        do {
            socket = try Socket(family: server.family, type: Int32(tcp ? SOCK_STREAM.rawValue : SOCK_DGRAM.rawValue), protocol: 0)
        } catch { throw error.failure(target: label) }
        try socket.apply(binding)
        // A connected UDP socket reports ICMP port-unreachable as ECONNREFUSED.
        let rc = server.withSockAddr { Glibc.connect(socket.fd, $0, $1) }
        if rc != 0 && errno != EINPROGRESS { throw dnsFailure(errno, label) }
        if tcp {
            guard socket.wait(for: Int16(POLLOUT), until: deadline) else { throw timeoutFailure(label) }
            let pending = socket.pendingError()
            if pending != 0 { throw dnsFailure(pending, label) }
        }
        let message = tcp ? [UInt8(query.count >> 8), UInt8(query.count & 0xff)] + query : query
        let sent = message.withUnsafeBytes { Glibc.send(socket.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        if sent < 0 { throw dnsFailure(errno, label) }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            guard socket.wait(for: Int16(POLLIN), until: deadline) else { throw timeoutFailure(label) }
            let n = buffer.withUnsafeMutableBytes { recv(socket.fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if n < 0 {
                if errno == EAGAIN || errno == EINTR { continue }
                throw dnsFailure(errno, label)
            }
            if tcp {
                if n == 0 { throw ProbeFailure(.dnsBadReply, "\(label) closed the TCP connection without an answer") }
                received += buffer[0..<n]
                guard received.count >= 2 else { continue }
                let length = Int(received[0]) << 8 | Int(received[1])
                guard received.count >= length + 2 else { continue }
                received = Array(received[2..<length + 2])
            } else {
                received = Array(buffer[0..<n])
            }
            // Ignore stray datagrams with another id (a late answer to an earlier query).
            guard let reply = DNSMessage.parse(received) else {
                if tcp { throw ProbeFailure(.dnsBadReply, "\(label) sent a malformed reply") }
                continue
            }
            if reply.id != id { if tcp { throw ProbeFailure(.dnsBadReply, "\(label) answered another query") }; continue }
            return reply
        }
    }

    private func timeoutFailure(_ label: String) -> ProbeFailure {
        ProbeFailure(.dnsTimeout, "\(label) did not answer for \(name) in time")
    }

    private func dnsFailure(_ code: Int32, _ label: String) -> ProbeFailure {
        if code == ECONNREFUSED {
            return ProbeFailure(.refused, "\(label) refused the query: no DNS service is listening there")
        }
        return SocketError(call: "DNS query", errno: code).failure(target: label)
    }
}

/// What the resolver answered and how long it took.
public struct DNSResult: ProbeResult {
    public let server: SocketAddress
    public let name: String
    public let rcode: Int
    public let answerCount: Int
    public let answers: [String]
    public let seconds: Double
    public let overTCP: Bool
    public let failure: ProbeFailure?

    init(probe: DNSProbe, server: SocketAddress, reply: DNSMessage.Reply, seconds: Double, overTCP: Bool) {
        self.server = server
        self.name = probe.name
        self.rcode = reply.rcode
        self.answerCount = reply.answerCount
        self.answers = reply.answers
        self.seconds = seconds
        self.overTCP = overTCP
        let label = "resolver \(server.host)"
        if !probe.validRcodes.contains(reply.rcode) {
            switch reply.rcode {
            case 3: failure = ProbeFailure(.nxdomain, "\(label) says \(probe.name) does not exist (NXDOMAIN)")
            case 2: failure = ProbeFailure(.servfail, "\(label) failed to resolve \(probe.name) (SERVFAIL)")
            case 5: failure = ProbeFailure(.dnsRefused, "\(label) refused to resolve \(probe.name) (REFUSED)")
            default: failure = ProbeFailure(.dnsBadReply, "\(label) answered \(DNSMessage.rcodeName(reply.rcode)) for \(probe.name)")
            }
        } else if probe.requireAnswer && reply.answerCount == 0 {
            failure = ProbeFailure(.dnsBadReply, "\(label) returned no \(probe.recordType) record for \(probe.name)")
        } else {
            failure = nil
        }
    }

    public var measurements: [Measurement] {
        [Measurement(MetricCatalog.dnsLookup.name, seconds),
         Measurement(MetricCatalog.dnsRcode.name, Double(rcode)),
         Measurement(MetricCatalog.dnsAnswers.name, Double(answerCount)),
         Measurement(MetricCatalog.ipProtocol.name, Double(server.ipVersion))]
    }

    public var facts: [String: String] {
        var facts = ["resolver": server.description, "rcode": DNSMessage.rcodeName(rcode)]
        if !answers.isEmpty { facts["answers"] = answers.joined(separator: " ") }
        if overTCP { facts["transport"] = "tcp" }
        return facts
    }
}
