import AgentRuntime
import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

/// The commune agent's command line.
@main
struct CommuneAgent: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "commune-agent",
        abstract: "CommuneWatch agent: measures the office's line, 4G backup, devices and portals.",
        subcommands: [CheckCommand.self],
        defaultSubcommand: CheckCommand.self)
}

/// `commune-agent check`: run every probe once and say what is wrong.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Run every configured probe once, concurrently, and print a diagnosis.",
        discussion: """
        Targets are URLs: icmp://HOST?count=50, tcp://HOST:PORT, dns://RESOLVER/NAME?type=AAAA \
        (dns:///NAME uses the system resolver), http://… and https://… (options after '#', e.g. \
        https://dichvucong.gov.vn#timeout=10s&path=4g). Options: interface, source, path, timeout, ip, \
        critical, role, and each kind's own (count, spacing, max_loss; type; expect_status, expect_body, \
        ca_file, insecure, proxy). Exit status: 0 when every critical probe passed, 1 when one failed, \
        2 when the configuration or a target is invalid.
        """)

    @Option(name: .shortAndLong, help: "Agent configuration file (TOML).")
    var config: String?

    @Flag(help: "Print one JSON object per probe per line instead of the table.")
    var json = false

    @Option(help: "Language of the text: vi or en (default: from the locale).")
    var lang: String?

    @Argument(help: "Ad-hoc targets, e.g. icmp://192.168.1.1?count=50 https://dichvucong.gov.vn")
    var targets: [String] = []

    func run() async throws {
        var language = Language.fromEnvironment()
        if let lang {
            guard let chosen = Language(rawValue: lang) else {
                throw ValidationError("--lang must be vi or en, got \(lang)")
            }
            language = chosen
        }
        let probes: [ConfiguredProbe]
        do {
            let loaded = try config.map { path throws(ConfigError) in try AgentConfig.load(path: path) }
            if lang == nil, let configured = loaded?.language { language = configured }
            probes = try Check.probes(config: loaded, targets: targets)
        } catch {
            printError(language.pick("configuration error: ", "lỗi cấu hình: ") + error.description)
            throw ExitCode(2)
        }
        let report = await Check.run(probes, language: language)
        print(json ? report.jsonLines() : report.table(), terminator: "")
        throw ExitCode(report.exitStatus)
    }

    private func printError(_ text: String) {
        let line = Array((text + "\n").utf8)
        _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }
}
