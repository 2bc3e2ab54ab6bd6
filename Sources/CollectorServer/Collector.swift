import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import PostgresStorage
import Reports
import SQLiteStorage
import Storage
import WatchModel

/// The collector: a store under the data directory and the HTTP routes over it.
public struct Collector {
    /// Where the collector listens and keeps its data.
    public struct Settings: Sendable {
        public var host = "127.0.0.1"
        public var port = 8470
        public var dataDirectory = "./data"
        /// Per agent: batches per second, and the burst allowed.
        public var agentRequestsPerSecond = 10.0
        public var agentBurst = 20.0
        /// Ingests in progress at once; more are answered 503 + Retry-After.
        public var maxInFlightIngests = 32
        /// An upload's size, compressed and inflated.
        public var maxBodyBytes = 16 << 20
        public var maxInflatedBytes = 64 << 20
        /// PEM files: with both, the collector serves HTTPS itself.
        public var tlsCertificate: String?
        public var tlsKey: String?
        public var retention = Retention()
        /// A PostgreSQL URL (`postgres://USER:PASSWORD@HOST:PORT/DATABASE`); nil: SQLite under the data directory.
        public var database: String?
        /// A directory of alert rule files (`alerts/`); nil: no alerting.
        public var alertRules: String?
        /// Where notifications go: URLs that take Alertmanager's webhook payload.
        public var webhooks: [String] = []
        /// A Telegram bot and the chat it writes to (a team's group), and the Bot API's address.
        public var telegramToken: String?
        public var telegramChat: String?
        public var telegramAPI = "https://api.telegram.org"
        /// The language of messages written for people (Telegram): vi or en.
        public var alertLanguage = "vi"
        /// The collector's address as people's phones reach it, for acknowledge links; nil: http://LISTEN-ADDRESS.
        public var publicURL: String?
        /// How long an acknowledge link in a message stays valid.
        public var acknowledgeLinkLifetime: Duration = .seconds(86_400)
        /// How the planner report weighs each figure in the upgrade priority score (`[report.weights]`).
        public var reportWeights: ScoreWeights = .defaults
        /// A staff member's session ends after this long without a request.
        public var staffSessionIdle: Duration = .seconds(12 * 3600)

        public init() {}
    }

    /// The database a collector uses: SQLite under a data directory (the default), or PostgreSQL
    /// shared by several collectors.
    public struct Database: Sendable {
        public var dataDirectory: String
        public var url: String?

        public init(dataDirectory: String = "./data", url: String? = nil) {
            self.dataDirectory = dataDirectory
            self.url = url
        }

        /// Opens it; `create` is for the server (the commands never create a database, they name the missing one).
        public func open(create: Bool = false) async throws -> any CollectorStore {
            if let url { return try await PostgresStore.open(url: url) }
            let path = dataDirectory + "/collector.db"
            if create {
                try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
            } else if !FileManager.default.fileExists(atPath: path) {
                throw ImportError("no collector database in \(dataDirectory) (start `commune-collector serve --data \(dataDirectory)` once)")
            }
            // The server may be running: SQLite's WAL lets both work on the file.
            return try SQLiteStore(path: path)
        }

        /// Opens the store, runs `body` on it, and closes it.
        public func with<T>(_ body: (any CollectorStore) async throws -> T) async throws -> T {
            let store = try await open()
            do {
                let result = try await body(store)
                await store.close()
                return result
            } catch {
                await store.close()
                throw error
            }
        }
    }

    /// Checks the probe list in `file` and makes it the province's (or `site`'s); returns how many probes.
    public static func setProbeList(file: String, site: String?, in access: any AccessStore) async throws -> Int {
        guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
            throw ImportError("\(file): cannot read it as UTF-8 text")
        }
        if let site, try await access.site(site) == nil { throw ImportError("no site '\(site)' in the registry") }
        let count: Int
        do { count = try ProbeList.check(text) } catch { throw ImportError("\(file): \(error.message)") }
        try await access.setProbeList(site: site, toml: text)
        return count
    }

    /// Opens the store, prints the first admin token once, and serves until SIGTERM / SIGINT.
    public static func serve(_ settings: Settings) async throws {
        var logger = Logger(label: "commune-collector")
        logger.logLevel = .info
        try FileManager.default.createDirectory(atPath: settings.dataDirectory, withIntermediateDirectories: true)
        let store = try await Database(dataDirectory: settings.dataDirectory, url: settings.database).open(create: true)
        if let token = try await store.firstAdminToken() {
            // Printed once, never logged again: only its hash is kept.
            print("admin token (shown once, keep it): \(token)")
            try? (token + "\n").write(toFile: settings.dataDirectory + "/admin-token", atomically: true, encoding: .utf8)
            chmod(settings.dataDirectory + "/admin-token", 0o600)
        }
        let alerting = try AlertService(settings: settings, store: store, access: store, incidents: store, linkKey: try await store.linkKey(),
                                        logger: logger)
        let router = Router()
        let idle = settings.staffSessionIdle.components
        let staff = StaffAuthentication(access: store, staff: store, idleMs: idle.seconds * 1000 + idle.attoseconds / 1_000_000_000_000_000,
                                        secureCookie: settings.tlsCertificate != nil || settings.publicURL?.hasPrefix("https://") == true)
        StaffRoutes(auth: staff).add(to: router)
        EnrollRoutes(access: store).add(to: router)
        let counters = IngestCounters()
        let admission = IngestAdmission(.init(agentRequestsPerSecond: settings.agentRequestsPerSecond, agentBurst: settings.agentBurst,
                                              maxInFlight: settings.maxInFlightIngests))
        IngestRoutes(access: store, store: store, limits: .init(bodyBytes: settings.maxBodyBytes, inflatedBytes: settings.maxInflatedBytes),
                     counters: counters, admission: admission, stored: { agent, path in alerting?.evaluateSoon(agent: agent, path: path) }).add(to: router)
        if let alerting {
            IncidentRoutes(staff: staff, alerting: alerting).add(to: router)
            AcknowledgeRoutes(alerting: alerting).add(to: router)
        }
        MetricsRoutes(store: store, counters: counters).add(to: router)
        QueryRoutes(store: store).add(to: router)
        OutageRoutes(store: store).add(to: router)
        AdminRoutes(access: store, staff: staff).add(to: router)
        ConfigRoutes(access: store).add(to: router)
        // The pages: staff signed in (any role reads them) or the admin token.
        let pageAccess: any PageAccess = staff
        AssetRoutes().add(to: router)
        OverviewPage(access: store, store: store, alerts: alerting, pages: pageAccess).add(to: router)
        SitePage(access: store, store: store, incidents: store, alerts: alerting, pages: pageAccess).add(to: router)
        PortalsPage(access: store, store: store, pages: pageAccess).add(to: router)
        IncidentsPage(access: store, alerting: alerting, staff: staff, pages: pageAccess).add(to: router)
        ReportPage(access: store, store: store, pages: pageAccess, weights: settings.reportWeights).add(to: router)
        let directory = settings.dataDirectory
        var server = HTTPServerBuilder.http1()
        var scheme = "http"
        if let certificate = settings.tlsCertificate, let key = settings.tlsKey {
            let chain = try NIOSSLCertificate.fromPEMFile(certificate)
            let configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) },
                                                                         privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
            server = try .tls(.http1(), tlsConfiguration: configuration)
            scheme = "https"
        }
        let shownScheme = scheme
        let app = Application(
            router: router,
            server: server,
            configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "commune-collector"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                print("commune-collector listening on \(shownScheme)://\(settings.host):\(port)")
                fflush(nil)
                if settings.publicURL == nil { alerting?.listening(at: "\(shownScheme)://\(settings.host.contains(":") ? "[\(settings.host)]" : settings.host):\(port)") }
                try? "\(port)\n".write(toFile: directory + "/port", atomically: true, encoding: .utf8)
            },
            logger: logger)
        // Small chunks from uploads are merged into one deflated chunk per series and day once
        // the day's data has settled (an hour after it was written); raw data past its retention
        // is summed up into stored rollups before it goes.
        let compaction = Task {
            while !Task.isCancelled {
                // Stopping wakes the sleep: the collector is shutting down, not due for compaction.
                guard (try? await Task.sleep(for: .seconds(600))) != nil else { break }
                let cutoff = WallClock.nowMs() - 3_600_000
                do {
                    try await store.enforce(settings.retention, now: cutoff + 3_600_000)
                    try await store.endExpiredSessions(now: cutoff + 3_600_000)
                    let done = try await store.compact(olderThan: cutoff)
                    if done.chunksBefore > 0 {
                        logger.info("compacted", metadata: ["chunks": "\(done.chunksBefore) → \(done.chunksAfter)", "samples": "\(done.samples)"])
                    }
                } catch is CancellationError {
                    break
                } catch {
                    logger.error("compaction failed", metadata: ["error": "\(error)"])
                }
            }
        }
        defer { compaction.cancel() }
        let evaluation = alerting?.evaluateEvery(.seconds(10))
        defer { evaluation?.cancel() }
        do {
            try await app.runService()
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    }
}
