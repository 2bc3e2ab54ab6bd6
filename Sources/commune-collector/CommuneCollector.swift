import Foundation
import ArgumentParser
import CollectorServer
import WatchModel

/// `commune-collector`: the provincial server that agents report to.
@main
struct CommuneCollector: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "commune-collector",
        abstract: "CommuneWatch collector: enrollment, ingest, storage and query for the commune agents.",
        subcommands: [Serve.self, Sites.self, Token.self, Probes.self, Compact.self, Incidents.self, Silences.self, Report.self, Staff.self, Demo.self],
        defaultSubcommand: Serve.self)
}

/// `serve`: runs the collector.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the collector (SQLite under --data; no configuration needed).")

    @Option(help: "A collector.toml (see collector/collector.toml); the options below override it.")
    var config: String?

    @Option(help: "Address to listen on, HOST:PORT (port 0: any free port, written to DATA/port). Default 127.0.0.1:8470.")
    var listen: String?

    @Option(help: "Directory for the database and the first admin token. Default ./data.")
    var data: String?

    @Option(help: "A PostgreSQL URL (postgres://USER:PASSWORD@HOST:PORT/DATABASE) instead of SQLite under --data.")
    var database: String?

    @Option(help: "Batches per second one agent may send (a burst of twice as many is allowed). Default 10.")
    var agentRequestsPerSecond: Double?

    @Option(help: "Ingests in progress at once; beyond, agents are told 503 + Retry-After and keep their spools. Default 32.")
    var maxInflightIngests: Int?

    @Option(help: "A directory of alert rule files (alerts/ holds the defaults); without it, no alerting.")
    var alertRules: String?

    @Option(help: "A URL that takes Alertmanager's webhook payload (repeat for several).")
    var webhook: [String] = []

    @Option(help: "A Telegram bot token (from @BotFather): alerts are written to --telegram-chat.")
    var telegramToken: String?

    @Option(help: "The Telegram chat id of the team's group (a group's id is negative: --telegram-chat=-100…).")
    var telegramChat: String?

    @Option(help: "The Telegram Bot API's address (default https://api.telegram.org).")
    var telegramAPI: String?

    @Option(help: "The language of alert messages for people: vi (default) or en.")
    var alertLanguage: String?

    @Option(help: "The collector's address as phones reach it, for acknowledge links (default http://LISTEN-ADDRESS).")
    var publicURL: String?

    @Option(help: "How long an acknowledge link stays valid, in seconds (default 86400: 24 h).")
    var ackLinkSeconds: Int?

    @Option(help: "A staff session ends after this many seconds without a request (default 43200: 12 h).")
    var sessionIdleSeconds: Int?

    @Option(help: "PEM certificate chain: with --tls-key, serve HTTPS.")
    var tlsCertificate: String?

    @Option(help: "PEM private key of --tls-certificate.")
    var tlsKey: String?

    func run() async throws {
        var settings = Collector.Settings()
        if let config { settings = try CollectorConfig.load(path: config) }
        if let listen {
            guard let (host, port) = CollectorConfig.hostPort(listen) else { throw ValidationError("--listen '\(listen)' is not HOST:PORT") }
            settings.host = host
            settings.port = port
        }
        if let data { settings.dataDirectory = data }
        if let database { settings.database = database }
        if let alertRules { settings.alertRules = alertRules }
        if !webhook.isEmpty { settings.webhooks = webhook }
        if let telegramToken { settings.telegramToken = telegramToken }
        if let telegramChat { settings.telegramChat = telegramChat }
        if let telegramAPI { settings.telegramAPI = telegramAPI }
        if let alertLanguage {
            guard ["vi", "en"].contains(alertLanguage) else { throw ValidationError("--alert-language is vi or en") }
            settings.alertLanguage = alertLanguage
        }
        guard (settings.telegramToken == nil) == (settings.telegramChat == nil) else {
            throw ValidationError("--telegram-token and --telegram-chat go together")
        }
        if let agentRequestsPerSecond {
            guard agentRequestsPerSecond > 0 else { throw ValidationError("--agent-requests-per-second must be positive") }
            settings.agentRequestsPerSecond = agentRequestsPerSecond
            settings.agentBurst = 2 * agentRequestsPerSecond
        }
        if let maxInflightIngests {
            guard maxInflightIngests > 0 else { throw ValidationError("--max-inflight-ingests must be positive") }
            settings.maxInFlightIngests = maxInflightIngests
        }
        if let publicURL {
            guard publicURL.hasPrefix("http://") || publicURL.hasPrefix("https://") else { throw ValidationError("--public-url is an http(s):// URL") }
            settings.publicURL = publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
        }
        if let ackLinkSeconds {
            guard (1...(31 * 86_400)).contains(ackLinkSeconds) else { throw ValidationError("--ack-link-seconds must be 1…2678400") }
            settings.acknowledgeLinkLifetime = .seconds(ackLinkSeconds)
        }
        if let sessionIdleSeconds {
            guard (1...(30 * 86_400)).contains(sessionIdleSeconds) else { throw ValidationError("--session-idle-seconds must be 1…2592000") }
            settings.staffSessionIdle = .seconds(sessionIdleSeconds)
        }
        if let tlsCertificate { settings.tlsCertificate = tlsCertificate }
        if let tlsKey { settings.tlsKey = tlsKey }
        guard (settings.tlsCertificate == nil) == (settings.tlsKey == nil) else {
            throw ValidationError("--tls-certificate and --tls-key go together")
        }
        try await Collector.serve(settings)
    }
}

/// `sites import FILE` / `sites export`: the registry as CSV.
struct Sites: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The site registry as CSV.", subcommands: [Import.self, Export.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add or update sites from a CSV file (columns: \(SiteRegistryCSV.columns.joined(separator: ","))).")
        @Argument(help: "The CSV file (UTF-8, a header row, code and name required).") var file: String
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let count = try await store.database.with { try await SiteRegistryCSV.importFile(file, into: $0) }
            print("imported \(count) sites from \(file)")
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the registry as CSV.")
        @OptionGroup var store: StoreOptions

        func run() async throws {
            print(SiteRegistryCSV.text(try await store.database.with { try await $0.sites() }), terminator: "")
        }
    }
}

/// `token --site CODE`: a one-time enrollment token for an office's agent.
struct Token: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create a one-time enrollment token for a site.")
    @Option(help: "The site's code.") var site: String
    @Option(help: "Hours the token stays valid.") var validHours = 72
    @OptionGroup var store: StoreOptions

    func run() async throws {
        guard (1...2160).contains(validHours) else { throw ValidationError("--valid-hours must be 1…2160") }
        let token = try await store.database.with { access -> String in
            guard try await access.site(site) != nil else { throw ValidationError("no site '\(site)' in the registry") }
            return try await access.createEnrollmentToken(site: site, validForSeconds: validHours * 3600)
        }
        print(token)
    }
}

/// `probes FILE [--site CODE]`: the probe list every agent of the province (or of one site) fetches.
struct Probes: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Set the province's probe list, or a site's additions, from a TOML file of [[probe]] tables.")
    @Argument(help: "The TOML file.") var file: String
    @Option(help: "A site's additions instead of the province's list.") var site: String?
    @OptionGroup var store: StoreOptions

    func run() async throws {
        let count = try await store.database.with { try await Collector.setProbeList(file: file, site: site, in: $0) }
        print("\(count) probes for \(site.map { "site \($0)" } ?? "the province"); agents fetch them within their config_interval")
    }
}

/// `compact`: merge stored chunks now (the server does it every 10 minutes for data over an hour old).
struct Compact: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Merge each series' small chunks into one compressed chunk per day.")
    @Option(help: "Compact data older than this many minutes.") var olderThanMinutes = 60
    @OptionGroup var store: StoreOptions

    func run() async throws {
        let cutoff = WallClock.nowMs() - Int64(olderThanMinutes) * 60_000
        let done = try await store.database.with { try await $0.compact(olderThan: cutoff) }
        print("compacted \(done.chunksBefore) chunks into \(done.chunksAfter) (\(done.samples) samples)")
    }
}

/// Which database a command works on: the server's SQLite under --data, or its PostgreSQL.
struct StoreOptions: ParsableArguments {
    @Option(help: "The collector's data directory (its SQLite database).") var data = "./data"
    @Option(name: .customLong("database"), help: "The collector's PostgreSQL URL, when it uses one (postgres://USER:PASSWORD@HOST:PORT/DATABASE).")
    var url: String?

    var database: Collector.Database { Collector.Database(dataDirectory: data, url: url) }
}
