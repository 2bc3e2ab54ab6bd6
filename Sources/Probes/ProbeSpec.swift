/// The kinds of probe the agent knows, by the names configuration and URLs use.
public enum ProbeKind: String, Sendable, Hashable, CaseIterable, Codable {
    case icmp, tcp, dns, http, snmp, modem, host
}

/// One kind of probe with its own settings.
public enum ProbeTarget: Sendable {
    case icmp(ICMPEchoProbe)
    case tcp(TCPConnectProbe)
    case dns(DNSProbe)
    case http(HTTPProbe)
    case snmp(SNMPDeviceProbe)
    case modem(ModemProbe)
    case host(HostProbe)

    public var kind: ProbeKind {
        switch self {
        case .icmp: .icmp
        case .tcp: .tcp
        case .dns: .dns
        case .http: .http
        case .snmp: .snmp
        case .modem: .modem
        case .host: .host
        }
    }

    /// The value of the `target` label: host, host:port, resolver/name or URL.
    public var label: String {
        switch self {
        case let .icmp(p): p.host
        case let .tcp(p): p.host.contains(":") ? "[\(p.host)]:\(p.port)" : "\(p.host):\(p.port)"
        case let .dns(p): "\(p.resolver ?? "system")/\(p.name)"
        case let .http(p): p.url
        case let .snmp(p): p.target.host.contains(":") ? "[\(p.target.host)]:\(p.target.port)" : "\(p.target.host):\(p.target.port)"
        case let .modem(p): "modem \(p.index)"
        case .host: "this PC"
        }
    }
}

/// A configured probe: what to measure, over which path, how often, and whether it is critical.
public struct ProbeSpec: Sendable {
    public var name: String
    public var target: ProbeTarget
    /// The `path` label: `dedicated`, `4g`, or `default` when the routing table decides.
    public var path: String
    public var binding: Binding
    /// How long to wait for the target (for ICMP: for each echo).
    public var timeout: Duration
    public var interval: Duration
    /// `commune-agent check` exits 1 when a critical probe fails.
    public var critical: Bool

    public init(name: String, target: ProbeTarget, path: String = "default", binding: Binding = .none,
                timeout: Duration = .seconds(5), interval: Duration = .seconds(60), critical: Bool = true) {
        self.name = name
        self.target = target
        self.path = path
        self.binding = binding
        self.timeout = timeout
        self.interval = interval
        self.critical = critical
    }

    /// The labels every sample of this probe carries.
    public var labels: [String: String] {
        ["probe": name, "target": target.label, "path": path, "kind": target.kind.rawValue]
    }

    /// When the runner gives up on the probe: its own time budget plus a margin for name resolution.
    public var deadline: Duration {
        switch target {
        case let .icmp(p): p.roundDuration(timeout: timeout) + .seconds(2)
        // A rejected certificate is looked at once more, for at most 5 s.
        case .http: timeout + .seconds(7)
        case .tcp, .dns: timeout * 2 + .seconds(2)
        // Each request may be retried; a walk of a large switch takes several requests.
        case .modem: timeout * 4 + .seconds(2)
        case .host: timeout + .seconds(5)
        case let .snmp(p): (timeout * (p.target.retries + 1)) * 4 + (p.rateWindow ?? .zero) * 2 + .seconds(5)
        }
    }
}
