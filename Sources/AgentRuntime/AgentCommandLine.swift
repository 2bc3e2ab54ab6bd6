import WatchModel
/// The agent's command line, parsed by hand.
///
/// swift-argument-parser was measured at +5.4 MB RSS in a static release build (10.3 MB for a
/// one-option command against 4.9 MB for hello world), a fifth of the agent's 25 MB budget;
/// the agent's few options do not justify that on an old commune PC.
public enum AgentCommandLine: Equatable, Sendable {
    case check(CheckOptions)
    case inventory(InventoryOptions)
    case run(RunOptions)
    case enroll(EnrollOptions)
    case help(String)
    case version

    /// Options of `commune-agent check`.
    public struct CheckOptions: Equatable, Sendable {
        public var config: String?
        public var json = false
        public var language: Language?
        public var targets: [String] = []
    }

    /// Options of `commune-agent inventory`.
    public struct InventoryOptions: Equatable, Sendable {
        public var json = false
        public var language: Language?
        /// Where the last snapshot is kept, to report what changed.
        public var state: String?
    }

    /// Options of `commune-agent run`.
    public struct RunOptions: Equatable, Sendable {
        public var config: String
        /// Overrides the configuration's spool path.
        public var spool: String?
    }

    /// Options of `commune-agent enroll`.
    public struct EnrollOptions: Equatable, Sendable {
        public var collector: String
        public var token: String
        public var credentials = "/var/lib/commune-agent/credentials.json"
        public var caFile: String?
    }

    /// A command line that cannot be run, with what was wrong.
    public struct UsageError: Error, Equatable, CustomStringConvertible {
        public let message: String
        public var description: String { message + "\n(see: commune-agent --help)" }
    }

    /// Parses the arguments after the program name.
    public static func parse(_ arguments: [String]) throws(UsageError) -> AgentCommandLine {
        var args = arguments[...]
        if let first = args.first {
            switch first {
            case "-h", "--help", "help": return .help(usage)
            case "--version", "version": return .version
            case "check": args = args.dropFirst()
            case "inventory": return .inventory(try parseInventory(args.dropFirst()))
            case "run": return .run(try parseRun(args.dropFirst()))
            case "enroll": return .enroll(try parseEnroll(args.dropFirst()))
            case _ where first.hasPrefix("-") || first.includes("://"): break  // `check` is the default
            default: throw UsageError(message: "unknown command '\(first)': expected check, run, enroll, inventory, help or version")
            }
        }
        var options = CheckOptions()
        var onlyTargets = false
        while let arg = args.popFirst() {
            if onlyTargets || !arg.hasPrefix("-") { options.targets.append(arg); continue }
            let (name, inline) = split(arg)
            func value() throws(UsageError) -> String {
                if let inline { return inline }
                guard let next = args.popFirst(), !next.hasPrefix("--") else {
                    throw UsageError(message: "option \(name) needs a value")
                }
                return next
            }
            switch name {
            case "--": onlyTargets = true
            case "-h", "--help": return .help(usage)
            case "-c", "--config": options.config = try value()
            case "--json": options.json = true
            case "--lang":
                let text = try value()
                guard let language = Language(rawValue: text) else {
                    throw UsageError(message: "--lang must be vi or en, got '\(text)'")
                }
                options.language = language
            default: throw UsageError(message: "unknown option \(name)")
            }
        }
        return .check(options)
    }

    private static func parseEnroll(_ arguments: ArraySlice<String>) throws(UsageError) -> EnrollOptions {
        var args = arguments
        var collector: String?, token: String?, credentials: String?, ca: String?
        while let arg = args.popFirst() {
            let (name, inline) = split(arg)
            guard let value = inline ?? args.popFirst() else { throw UsageError(message: "option \(name) needs a value") }
            switch name {
            case "--collector": collector = value
            case "--token": token = value
            case "--credentials": credentials = value
            case "--ca-file": ca = value
            default: throw UsageError(message: "unknown option \(name) for enroll")
            }
        }
        guard let collector, let token else { throw UsageError(message: "enroll needs --collector URL and --token TOKEN") }
        var options = EnrollOptions(collector: collector, token: token)
        if let credentials { options.credentials = credentials }
        options.caFile = ca
        return options
    }

    private static func parseRun(_ arguments: ArraySlice<String>) throws(UsageError) -> RunOptions {
        var args = arguments
        var config: String?, spool: String?
        while let arg = args.popFirst() {
            let (name, inline) = split(arg)
            guard let value = inline ?? args.popFirst() else { throw UsageError(message: "option \(name) needs a value") }
            switch name {
            case "-c", "--config": config = value
            case "--spool": spool = value
            default: throw UsageError(message: "unknown option \(name) for run")
            }
        }
        guard let config else { throw UsageError(message: "run needs --config FILE") }
        return RunOptions(config: config, spool: spool)
    }

    private static func parseInventory(_ arguments: ArraySlice<String>) throws(UsageError) -> InventoryOptions {
        var args = arguments
        var options = InventoryOptions()
        while let arg = args.popFirst() {
            let (name, inline) = split(arg)
            func value() throws(UsageError) -> String {
                if let inline { return inline }
                guard let next = args.popFirst(), !next.hasPrefix("--") else { throw UsageError(message: "option \(name) needs a value") }
                return next
            }
            switch name {
            case "--json": options.json = true
            case "--state": options.state = try value()
            case "--lang":
                let text = try value()
                guard let language = Language(rawValue: text) else { throw UsageError(message: "--lang must be vi or en, got '\(text)'") }
                options.language = language
            default: throw UsageError(message: "unknown option \(name) for inventory")
            }
        }
        return options
    }

    private static func split(_ arg: String) -> (String, String?) {
        guard arg.hasPrefix("--"), let eq = arg.firstIndex(of: "=") else { return (arg, nil) }
        return (String(arg[..<eq]), String(arg[arg.index(after: eq)...]))
    }

    public static let usage = """
    commune-agent: CommuneWatch agent: measures the office's line, 4G backup, devices and portals.

    USAGE: commune-agent check [--config FILE] [--json] [--lang vi|en] [TARGET ...]

    check        Run every configured probe once, concurrently, and print a diagnosis
                 (without --config or targets: the default gateway, the system's DNS
                 resolvers and the national portals).
      -c, --config FILE   agent configuration (TOML)
      --json              one JSON object per probe per line instead of the table
      --lang vi|en        language of the text (default: from LANG / LC_ALL)
    run --config FILE [--spool PATH]
                 Run every probe on its schedule and keep every result in the spool
                 (SIGHUP reloads the configuration, SIGTERM stops).
    enroll --collector URL --token TOKEN [--credentials FILE] [--ca-file PEM]
                 Trade a one-time site token for this agent's credentials (stored 0600).
    inventory    This PC's inventory: CPU, RAM, disks, OS, network, gateway, DNS.
      --json              one JSON line, plus one per change
      --state FILE        keep the snapshot in FILE and report what changed since the last run
    help         Show this text.       version     Show the version.

    TARGETS are URLs, with options as query parameters:
      icmp://HOST?count=50&spacing=200ms     tcp://HOST:PORT
      dns://RESOLVER/NAME?type=AAAA          dns:///NAME (system resolver)
      snmp://COMMUNITY@HOST:PORT             snmp://HOST?user=U&auth=SHA&authpass=…&priv=AES&privpass=…
      modem://                               the first modem ModemManager lists
      http://…  https://…   (options after '#', since the query belongs to the site:
                             https://dichvucong.gov.vn#timeout=10s&path=4g)
    Options for every kind: interface, source, path, timeout, ip (4|6), critical, role, name.
    icmp: count, spacing, size, max_loss, max_rtt, socket (auto|raw|datagram)
    dns: type, expect_rcode, require_answer      tcp: max_connect
    http: expect_status, expect_body, ca_file, insecure, proxy, follow_redirects,
          max_redirects, max_duration
    snmp: community, version, user, auth, authpass, priv, privpass, retries, rate_window
    modem: signal_refresh, min_rsrp, mmcli

    EXIT STATUS: 0 every critical probe passed; 1 one failed; 2 bad configuration or usage.
    """
}
