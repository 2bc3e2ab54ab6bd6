import TOML
import Probes

/// What a probe is for, so the diagnosis can reason from the office outwards.
public enum ProbeRole: String, Sendable, CaseIterable {
    /// The office router: the first hop.
    case gateway
    /// A DNS resolver.
    case resolver
    /// A government or public-service portal.
    case portal
    /// Anything else on or beyond the line (an upstream node, a public address).
    case host
    /// A router, switch or modem polled over SNMP.
    case device
    /// The 4G modem read through ModemManager.
    case modem
    /// The PC the agent runs on.
    case pc
}

/// A probe as configured: the spec the runner needs plus its role for the diagnosis.
public struct ConfiguredProbe: Sendable {
    public var spec: ProbeSpec
    public var role: ProbeRole

    public init(spec: ProbeSpec, role: ProbeRole) {
        self.spec = spec
        self.role = role
    }
}

/// The agent's configuration file (`agent.toml`), typed and validated once at load.
public struct AgentConfig: Sendable {
    /// Language of human text; nil follows the locale.
    public var language: Language?
    /// Site code in the province's registry (used once the agent reports to a collector).
    public var site: String?
    public var probes: [ConfiguredProbe]
    /// The run-time settings of `commune-agent run`.
    public var runtime = RuntimeSettings()
    /// Where results go; nil keeps them in the spool (no collector yet).
    public var collector: CollectorSettings?

    public init(language: Language? = nil, site: String? = nil, probes: [ConfiguredProbe] = []) {
        self.language = language
        self.site = site
        self.probes = probes
    }

    /// Loads and validates a file; every error names the file, the line and the expected form.
    public static func load(path: String) throws(ConfigError) -> AgentConfig {
        guard let bytes = TextFile.readBytes(path, limit: 4 << 20) else {
            throw ConfigError(source: path, line: 0, message: "cannot read the file (missing or not readable)")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ConfigError(source: path, line: 0, message: "the file is not UTF-8 text")
        }
        return try parse(text, source: path)
    }

    /// Parses configuration text; `source` names it in errors.
    public static func parse(_ text: String, source: String) throws(ConfigError) -> AgentConfig {
        let root: TOMLTable
        do { root = try TOMLParser.parse(text) } catch {
            throw ConfigError(source: source, line: error.line, message: error.message)
        }
        let top = TableReader(root, source: source, context: "the file")
        try top.rejectUnknown(allowed: ["agent", "defaults", "probe", "collector"])
        var config = AgentConfig()
        if let node = root["agent"] {
            var agent = try tableReader(node, name: "agent", source: source)
            try agent.rejectUnknown(allowed: ["site", "lang", "spool", "spool_max_mb", "max_concurrent", "confirm_retries", "confirm_spacing"])
            config.site = try agent.string("site")
            config.runtime = try RuntimeSettings(reading: &agent)
            config.language = try agent.choice("lang", Language.allCases.map(\.rawValue)).flatMap(Language.init(rawValue:))
        }
        if let node = root["collector"] {
            var reader = try tableReader(node, name: "collector", source: source)
            config.collector = try CollectorSettings(reading: &reader)
        }
        var defaults = ProbeDefaults()
        if let node = root["defaults"] {
            var reader = try tableReader(node, name: "defaults", source: source)
            try reader.rejectUnknown(allowed: ProbeDefaults.keys)
            defaults = try ProbeDefaults(reading: &reader)
        }
        if let node = root["probe"] {
            guard case let .array(items) = node.value, root.arraysOfTables.contains("probe") else {
                throw ConfigError(source: source, line: node.line, message: "'probe' must be written as [[probe]] tables, one per probe")
            }
            var names: [String: Int] = [:]
            for (number, item) in items.enumerated() {
                guard case let .table(table) = item.value else { continue }
                var reader = TableReader(table, source: source, context: "[[probe]] #\(number + 1) (line \(table.line))")
                let probe = try ProbeDecoder.decode(&reader, defaults: defaults)
                if let first = names[probe.spec.name] {
                    throw ConfigError(source: source, line: table.line,
                                      message: "[[probe]] #\(number + 1): the name \"\(probe.spec.name)\" is already used by the probe on line \(first); names must be unique")
                }
                names[probe.spec.name] = table.line
                config.probes.append(probe)
            }
        }
        return config
    }

    private static func tableReader(_ node: TOMLNode, name: String, source: String) throws(ConfigError) -> TableReader {
        guard case let .table(table) = node.value else {
            throw ConfigError(source: source, line: node.line, message: "'\(name)' must be a table: write [\(name)] on its own line")
        }
        return TableReader(table, source: source, context: "[\(name)]")
    }
}

/// How `commune-agent run` works: where the spool is, how big it may grow, how changes are confirmed.
public struct RuntimeSettings: Sendable, Hashable {
    public var spoolPath = "/var/lib/commune-agent/spool.db"
    /// The last good copy of the collector's probe list: beside the spool.
    public var remoteConfigPath: String { spoolPath + ".remote.toml" }
    public var spoolMaxBytes = 200 << 20
    /// Probes running at the same time, at most.
    public var maxConcurrent = 16
    /// Re-probes confirming a failed or degraded result, and their spacing.
    public var confirmRetries = 2
    public var confirmSpacing: Duration = .seconds(1)

    public init() {}

    init(reading r: inout TableReader) throws(ConfigError) {
        spoolPath = try r.string("spool") ?? spoolPath
        spoolMaxBytes = (try r.integer("spool_max_mb", in: 1...100_000)).map { $0 << 20 } ?? spoolMaxBytes
        maxConcurrent = try r.integer("max_concurrent", in: 1...256) ?? maxConcurrent
        confirmRetries = try r.integer("confirm_retries", in: 0...10) ?? confirmRetries
        confirmSpacing = try r.duration("confirm_spacing") ?? confirmSpacing
    }
}

/// The collector this agent reports to (`[collector]`).
public struct CollectorSettings: Sendable, Hashable {
    /// The collector's URL; nil when it comes from the credentials file.
    public var url: String?
    /// `AGENT_ID:SECRET`; nil when it comes from the credentials file.
    public var token: String?
    /// The file `commune-agent enroll` writes; read when uploading, so enrolling needs no restart.
    public var credentialsPath: String?
    public var caFile: String?
    /// Catch-up cap in bytes per second; nil sends as fast as the line allows.
    public var maxBytesPerSecond: Int?
    public var batchSamples = 5000
    /// The interface of the dedicated line, for uploads (nil: the routing table decides).
    public var interface: String?
    /// A reply that stalls (under 1 byte/s) this long is abandoned.
    public var stallTimeout: Duration = .seconds(20)
    /// The longest wait between two upload attempts after failures.
    public var backoffMax: Duration = .seconds(300)
    /// Results are gathered this long before they are sent (urgent changes go at once): bigger
    /// batches compress far better, which matters on a metered 4G line.
    public var flushInterval: Duration = .seconds(300)
    /// How often the agent asks the collector for the province's probe list.
    public var configInterval: Duration = .seconds(300)
    /// A collector that does not accept the connection this fast is unreachable on that path.
    public var connectTimeout: Duration = .seconds(10)
    /// The 4G interface: when the dedicated line cannot reach the collector, state changes, events
    /// and a heartbeat go this way (nil: no fallback).
    public var fallbackInterface: String?
    /// Send the whole backlog over the fallback too (a 4G line that is not metered).
    public var fallbackBacklog = false
    /// On the fallback, how often the heartbeat (self-metrics) goes when nothing urgent does.
    public var heartbeatInterval: Duration = .seconds(300)
    /// On the fallback, how often the dedicated line is tried again.
    public var recheckInterval: Duration = .seconds(30)

    static let keys = ["url", "token", "credentials", "ca_file", "max_bytes_per_second", "batch_samples", "interface",
                       "stall_timeout", "backoff_max", "config_interval", "flush_interval", "connect_timeout",
                       "fallback_interface", "fallback_backlog", "heartbeat_interval", "recheck_interval"]

    public init(url: String, token: String) {
        self.url = url
        self.token = token
    }

    init(reading r: inout TableReader) throws(ConfigError) {
        try r.rejectUnknown(allowed: Self.keys)
        url = try r.string("url")
        token = try r.string("token")
        credentialsPath = try r.string("credentials")
        if credentialsPath == nil && (url == nil || token == nil) {
            throw r.fail(nil, "[collector] needs credentials = PATH (written by commune-agent enroll), or both url and token")
        }
        if let url, !(url.hasPrefix("https://") || url.hasPrefix("http://")) {
            throw r.fail("url", "[collector]: 'url' = \"\(url)\" must start with https:// (or http:// on a trusted network)")
        }
        caFile = try r.string("ca_file")
        maxBytesPerSecond = try r.integer("max_bytes_per_second", in: 100...1_000_000_000)
        batchSamples = try r.integer("batch_samples", in: 10...100_000) ?? batchSamples
        interface = try r.string("interface")
        stallTimeout = try r.duration("stall_timeout", atLeast: .seconds(1)) ?? stallTimeout
        backoffMax = try r.duration("backoff_max", atLeast: .seconds(1)) ?? backoffMax
        configInterval = try r.duration("config_interval", atLeast: .seconds(1)) ?? configInterval
        flushInterval = try r.duration("flush_interval", atLeast: .zero) ?? flushInterval
        connectTimeout = try r.duration("connect_timeout", atLeast: .milliseconds(100)) ?? connectTimeout
        fallbackInterface = try r.string("fallback_interface")
        fallbackBacklog = try r.bool("fallback_backlog") ?? fallbackBacklog
        heartbeatInterval = try r.duration("heartbeat_interval", atLeast: .seconds(1)) ?? heartbeatInterval
        recheckInterval = try r.duration("recheck_interval", atLeast: .seconds(1)) ?? recheckInterval
    }

    /// URL and token to upload with: from the file when configured, else as written; nil before enrollment.
    public func endpoint() -> (url: String, token: String)? {
        if let path = credentialsPath {
            guard let stored = Enrollment.Credentials.load(path) else { return nil }
            return (url ?? stored.url, stored.token)
        }
        guard let url, let token else { return nil }
        return (url, token)
    }
}

/// Settings every probe inherits unless it sets its own (`[defaults]`).
struct ProbeDefaults {
    var interval: Duration = .seconds(60)
    var timeout: Duration = .seconds(5)
    var path = "default"
    var interface: String?
    var source: String?
    var critical = true

    static let keys = ["interval", "timeout", "path", "interface", "source", "critical"]

    init() {}

    init(reading reader: inout TableReader) throws(ConfigError) {
        interval = try reader.duration("interval", atLeast: .seconds(1)) ?? interval
        timeout = try reader.duration("timeout") ?? timeout
        path = try reader.string("path") ?? path
        interface = try reader.string("interface")
        source = try reader.string("source")
        critical = try reader.bool("critical") ?? critical
    }
}
