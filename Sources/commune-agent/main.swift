import AgentRuntime
#if canImport(Glibc)
import Glibc
#endif

/// Thin entry point: parse the command line, run, and exit with the command's status.
@main
enum CommuneAgent {
    static func main() async {
        let environmentLanguage = Language.fromEnvironment()
        let command: AgentCommandLine
        do {
            command = try AgentCommandLine.parse(Array(CommandLine.arguments.dropFirst()))
        } catch {
            writeError(error.description)
            exit(2)
        }
        switch command {
        case let .inventory(options):
            let language = options.language ?? environmentLanguage
            let (report, saveError) = InventoryReport.run(statePath: options.state, language: language)
            print(options.json ? report.jsonLines() : report.table(), terminator: "")
            if let saveError {
                writeError(saveError)
                exit(1)
            }
        case let .help(text):
            print(text)
        case .version:
            print("commune-agent \(AgentVersion.current) (\(AgentVersion.libraries))")
        case let .check(options):
            var language = options.language ?? environmentLanguage
            let probes: [ConfiguredProbe]
            do {
                let config = try options.config.map { path throws(ConfigError) in try AgentConfig.load(path: path) }
                if options.language == nil, let configured = config?.language { language = configured }
                probes = try Check.probes(config: config, targets: options.targets)
            } catch {
                writeError(language.pick("configuration error: ", "lỗi cấu hình: ") + error.description)
                exit(2)
            }
            let report = await Check.run(probes, language: language)
            print(options.json ? report.jsonLines() : report.table(), terminator: "")
            exit(report.exitStatus)
        }
    }

    static func writeError(_ text: String) {
        let bytes = Array((text + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }
}
