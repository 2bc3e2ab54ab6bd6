import Probes

/// Turns one `[[probe]]` table (or an ad-hoc target's options) into a validated `ConfiguredProbe`.
enum ProbeDecoder {
    static let commonKeys = ["name", "kind", "target", "role", "interval", "timeout", "path", "interface", "source", "critical", "ip"]
    static let kindKeys: [ProbeKind: [String]] = [
        .icmp: ["count", "spacing", "size", "max_loss", "max_rtt", "socket"],
        .tcp: ["port", "max_connect"],
        .dns: ["query", "type", "expect_rcode", "require_answer"],
        .modem: ["mmcli", "signal_refresh", "min_rsrp"],
        .host: [],
        .snmp: ["community", "version", "user", "auth", "authpass", "priv", "privpass", "retries", "rate_window", "profile", "oids"],
        .http: ["expect_status", "expect_body", "ca_file", "insecure", "proxy", "follow_redirects", "max_redirects",
                "max_duration", "headers"],
    ]

    static func decode(_ reader: inout TableReader, defaults: ProbeDefaults) throws(ConfigError) -> ConfiguredProbe {
        let kinds = ProbeKind.allCases.map(\.rawValue)
        let kindText = try reader.requiredString("kind", example: "\"icmp\"")
        guard let kind = ProbeKind(rawValue: kindText) else {
            throw reader.fail("kind", "\(reader.context): unknown probe kind \"\(kindText)\": expected one of \(kinds.map { "\"\($0)\"" }.joined(separator: ", "))")
        }
        try reader.rejectUnknown(allowed: commonKeys + kindKeys[kind, default: []])
        // The host probe measures this PC: it has no target.
        let target = kind == .host ? (try reader.string("target") ?? "this PC") : try reader.requiredString("target", example: example(kind))
        let ip = try reader.choice("ip", ["any", "4", "6"]).map { $0 == "4" ? IPPreference.ipv4 : $0 == "6" ? .ipv6 : .any } ?? .any
        let probeTarget: ProbeTarget
        switch kind {
        case .icmp: probeTarget = .icmp(try icmp(&reader, host: target, ip: ip))
        case .tcp: probeTarget = .tcp(try tcp(&reader, target: target, ip: ip))
        case .dns: probeTarget = .dns(try dns(&reader, resolver: target))
        case .http: probeTarget = .http(try http(&reader, url: target, ip: ip))
        case .snmp: probeTarget = .snmp(try snmp(&reader, target: target))
        case .modem: probeTarget = .modem(try modem(&reader, target: target))
        case .host: probeTarget = .host(HostProbe())
        }
        let role = try reader.choice("role", ProbeRole.allCases.map(\.rawValue)).flatMap(ProbeRole.init(rawValue:))
            ?? defaultRole(kind)
        let spec = ProbeSpec(
            name: try reader.string("name") ?? (kind == .host ? "this PC" : "\(kind.rawValue) \(probeTarget.label)"),
            target: probeTarget,
            // A modem is the 4G path whatever the defaults say.
            path: try reader.string("path") ?? (kind == .modem ? "4g" : defaults.path),
            binding: Binding(interface: try reader.string("interface") ?? defaults.interface,
                             sourceAddress: try reader.string("source") ?? defaults.source),
            timeout: try reader.duration("timeout") ?? defaults.timeout,
            interval: try reader.duration("interval", atLeast: .seconds(1)) ?? defaults.interval,
            critical: try reader.bool("critical") ?? defaults.critical)
        if let source = spec.binding.sourceAddress, SocketAddress(numeric: source) == nil {
            throw reader.fail("source", "\(reader.context): 'source' = \"\(source)\" must be a numeric IPv4 or IPv6 address")
        }
        return ConfiguredProbe(spec: spec, role: role)
    }

    static func example(_ kind: ProbeKind) -> String {
        switch kind {
        case .icmp: "\"192.168.1.1\""
        case .tcp: "\"192.168.1.1:443\""
        case .dns: "\"8.8.8.8\" (or \"system\")"
        case .http: "\"https://dichvucong.gov.vn\""
        case .snmp: "\"192.168.1.1\" (or \"192.168.1.1:161\")"
        case .modem: "\"0\" (the first modem ModemManager lists)"
        case .host: "\"this PC\""
        }
    }

    static func defaultRole(_ kind: ProbeKind) -> ProbeRole {
        switch kind {
        case .dns: .resolver
        case .http: .portal
        case .icmp, .tcp: .host
        case .snmp: .device
        case .modem: .modem
        case .host: .pc
        }
    }

    private static func icmp(_ r: inout TableReader, host: String, ip: IPPreference) throws(ConfigError) -> ICMPEchoProbe {
        var probe = ICMPEchoProbe(host: try hostOnly(host, reader: r))
        probe.ipPreference = ip
        probe.count = try r.integer("count", in: 1...10_000) ?? probe.count
        probe.spacing = try r.duration("spacing") ?? probe.spacing
        probe.payloadSize = try r.integer("size", in: 16...65_000) ?? probe.payloadSize
        probe.maxLoss = try r.number("max_loss", in: 0...1) ?? probe.maxLoss
        probe.maxMedianRTT = try r.duration("max_rtt")
        probe.socketMode = try r.choice("socket", ICMPSocketMode.allCases.map(\.rawValue)).flatMap(ICMPSocketMode.init(rawValue:)) ?? .auto
        return probe
    }

    private static func tcp(_ r: inout TableReader, target: String, ip: IPPreference) throws(ConfigError) -> TCPConnectProbe {
        var host = target
        var port = try r.integer("port", in: 1...65_535).map(UInt16.init)
        if let split = HostPort.split(target, defaultPort: 0), target.contains(":"), SocketAddress(numeric: target) == nil {
            host = split.host
            port = port ?? split.port
        }
        guard let port else {
            throw r.fail("target", "\(r.context): a tcp probe needs a port: target = \"\(target):443\" or port = 443")
        }
        var probe = TCPConnectProbe(host: try hostOnly(host, reader: r), port: port)
        probe.ipPreference = ip
        probe.maxConnectTime = try r.duration("max_connect")
        return probe
    }

    private static func dns(_ r: inout TableReader, resolver: String) throws(ConfigError) -> DNSProbe {
        let server: String? = resolver == "system" ? nil : resolver
        if let server, HostPort.split(server, defaultPort: 53) == nil {
            throw r.fail("target", "\(r.context): resolver \"\(server)\" must be HOST, HOST:PORT, [IPv6]:PORT or \"system\"")
        }
        var probe = DNSProbe(resolver: server, name: try r.requiredString("query", example: "\"dichvucong.gov.vn\""))
        if let type = try r.string("type") {
            guard DNSMessage.recordTypes[type.uppercased()] != nil else {
                throw r.fail("type", "\(r.context): unknown record type \"\(type)\": expected one of \(DNSMessage.recordTypes.keys.sorted().joined(separator: ", "))")
            }
            probe.recordType = type.uppercased()
        }
        if let codes = try r.strings("expect_rcode") {
            var set: Set<Int> = []
            for code in codes {
                guard let value = ["NOERROR": 0, "SERVFAIL": 2, "NXDOMAIN": 3, "REFUSED": 5][code.uppercased()] else {
                    throw r.fail("expect_rcode", "\(r.context): 'expect_rcode' has \"\(code)\": expected NOERROR, NXDOMAIN, SERVFAIL or REFUSED")
                }
                set.insert(value)
            }
            probe.validRcodes = set
        }
        probe.requireAnswer = try r.bool("require_answer") ?? false
        return probe
    }

    private static func http(_ r: inout TableReader, url: String, ip: IPPreference) throws(ConfigError) -> HTTPProbe {
        guard url.hasPrefix("http://") || url.hasPrefix("https://"), url.count > 8 else {
            throw r.fail("target", "\(r.context): 'target' = \"\(url)\" must be an http:// or https:// URL")
        }
        var probe = HTTPProbe(url: url)
        probe.ipPreference = ip
        if let codes = try r.integers("expect_status", in: 100...599) { probe.expectedStatus = Set(codes) }
        probe.expectedBody = try r.string("expect_body")
        probe.caFile = try r.string("ca_file")
        probe.insecure = try r.bool("insecure") ?? false
        probe.proxy = try r.string("proxy")
        probe.followRedirects = try r.bool("follow_redirects") ?? true
        probe.maxRedirects = try r.integer("max_redirects", in: 0...50) ?? probe.maxRedirects
        probe.maxDuration = try r.duration("max_duration")
        probe.headers = try r.strings("headers") ?? []
        for header in probe.headers where !header.contains(":") {
            throw r.fail("headers", "\(r.context): header \"\(header)\" must be written \"Name: value\"")
        }
        return probe
    }

    /// Rejects `host:port` or URLs where only a host belongs.
    private static func hostOnly(_ host: String, reader: TableReader) throws(ConfigError) -> String {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        let allowed = bare.allSatisfy { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == ":" || $0 == "_" || $0 == "%" }
        guard allowed, !bare.isEmpty, !(bare.contains(":") && SocketAddress(numeric: bare) == nil) else {
            throw reader.fail("target", "\(reader.context): 'target' = \"\(host)\" must be a host name or IP address")
        }
        return bare
    }

    private static func modem(_ r: inout TableReader, target: String) throws(ConfigError) -> ModemProbe {
        guard let index = target == "first" || target == "any" ? 0 : Int(target), index >= 0 else {
            throw r.fail("target", "\(r.context): a modem target is its number in ModemManager's list: \"0\" for the first")
        }
        var probe = ModemProbe()
        probe.index = index
        probe.signalRefresh = try r.integer("signal_refresh", in: 1...3600) ?? probe.signalRefresh
        probe.minRSRP = try r.number("min_rsrp", in: -160...0)
        if let mmcli = try r.string("mmcli") { probe.source = MMCLIModemSource(mmcli: mmcli) }
        return probe
    }
}
