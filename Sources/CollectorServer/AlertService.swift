import Alerting
import Curl
import Foundation
import Logging
import Notifiers
import Storage
import Synchronization
import WatchModel

/// The collector's alerting: the rules evaluated on every upload and every 10 seconds, and what
/// they say sent to the receivers through the delivery queue.
final class AlertService: Sendable {
    let evaluator: AlertEvaluator
    let queue: DeliveryQueue
    let logger: Logger
    let access: any AccessStore
    let store: any MetricStore
    /// When the site registry was last read (it changes seldom), and the sites then known by code.
    private let registry = Mutex<(at: TimestampMs, sites: [String: Site])>((0, [:]))
    /// Incidents with their history and notes, and the key of the acknowledge links.
    let incidents: any IncidentStore
    let links: AcknowledgeLink
    /// Where people's phones reach the collector (acknowledge links); set once the port is known when not configured.
    let publicURL: Mutex<String>
    let language: String

    /// Where each change goes: the routing file's tree, teams and timings (`alerts/routing.yml`),
    /// or every notice at once to every receiver without one.
    let dispatcher: Mutex<Dispatcher>
    /// Receivers given on the command line beside a routing file: a copy of every notice, at once.
    let everyNotice: [String]

    /// nil when no rules are configured.
    init?(settings: Collector.Settings, store: any MetricStore, access: any AccessStore, incidents: any IncidentStore, linkKey: String,
          logger: Logger) throws {
        guard let directory = settings.alertRules else { return nil }
        let rules = try RuleFile.loadDirectory(directory)
        guard !rules.isEmpty else { throw ImportError("no alert rules (*.yml) in \(directory)") }
        evaluator = AlertEvaluator(rules: rules, store: store)
        // The messages as the province wrote them, else the shipped ones.
        let templates = FileManager.default.fileExists(atPath: directory + "/templates")
            ? try MessageTemplates(directory: directory + "/templates") : MessageTemplates.builtIn
        let http = CurlMulti()
        var notifiers: [any Notifier] = settings.webhooks.enumerated().map {
            WebhookNotifier(name: "webhook-\($0.offset + 1)", url: $0.element, http: http)
        }
        if let token = settings.telegramToken, let chat = settings.telegramChat {
            notifiers.append(TelegramNotifier(token: token, chat: chat, api: settings.telegramAPI, language: settings.alertLanguage,
                                              templates: templates, http: http))
        }
        let commandLine = notifiers.map(\.name)
        let routing = try RoutingFile.loadIfPresent(path: directory + "/routing.yml")
        if let routing {
            for spec in routing.receivers {
                guard !commandLine.contains(spec.name) else {
                    throw ImportError("\(spec.origin): receiver \"\(spec.name)\" has the name of a receiver given on the command line: rename it")
                }
                notifiers.append(try ReceiverFactory.notifier(for: spec, templates: templates, http: http))
            }
        }
        // Without a routing file the command line's receivers get every change at once, through
        // the dispatcher all the same (so every message is written to the incident's history).
        dispatcher = Mutex(routing.map(Dispatcher.init) ?? .broadcast(receivers: commandLine))
        everyNotice = routing == nil ? [] : commandLine
        queue = DeliveryQueue(notifiers: notifiers, logFile: settings.dataDirectory + "/deliveries.jsonl")
        self.logger = logger
        self.access = access
        self.store = store
        self.incidents = incidents
        links = AcknowledgeLink(key: linkKey, lifetime: settings.acknowledgeLinkLifetime)
        publicURL = Mutex(settings.publicURL ?? "http://\(settings.host):\(settings.port)")
        language = settings.alertLanguage
        logger.info("alerting", metadata: ["rules": "\(rules.count)", "receivers": "\(notifiers.count)",
                                          "routing": "\(routing == nil ? "none (every notice to every receiver)" : directory + "/routing.yml")",
                                          "teams": "\(routing?.teams.count ?? 0)"])
    }

    /// After an upload by `agent` over `path`: its site's rules now, without holding up the reply.
    func evaluateSoon(agent: AgentRecord, path: String) {
        Task {
            await evaluator.contact(AgentContact(site: agent.site, agent: agent.id, host: agent.hostname, path: path, at: WallClock.nowMs()))
            await evaluate(site: agent.site)
        }
    }

    func evaluate(site: String?) async {
        do {
            let now = WallClock.nowMs()
            // Read again every 30 s, and at once for a site not seen before (just registered).
            if registry.withLock({ read in
                guard now - read.at >= 30_000 || site.map({ read.sites[$0] == nil }) == true else { return false }
                read.at = now
                return true
            }) {
                let sites = try await access.sites()
                registry.withLock { $0.sites = Dictionary(sites.map { ($0.code, $0) }) { a, _ in a } }
                let districts = Dictionary(sites.map { ($0.code, $0.district) }) { a, _ in a }
                await evaluator.setSites(upstream: Dictionary(sites.map { ($0.code, $0.upstream) }) { a, _ in a }, district: districts)
                // A message about several sites (a node's) finds its team by their district.
                dispatcher.withLock { $0.districts = districts.filter { !$0.value.isEmpty } }
                for agent in try await access.agents() where agent.revoked { await evaluator.forget(agent: agent.id) }
                try await loadSilences()
            }
            var notices: [AlertNotice] = []
            for notice in try await evaluator.evaluate(site: site, now: WallClock.nowMs()) {
                logger.info("incident", metadata: ["alert": "\(notice.rule.name)", "change": "\(notice.changeName)", "site": "\(notice.labels["site"] ?? "")"])
                let described = await described(notice)
                await record(described)
                notices.append(described)
            }
            await tell(notices)
        } catch is CancellationError {
            // The collector is stopping; the next start evaluates again.
        } catch {
            logger.error("alert evaluation failed", metadata: ["error": "\(error)"])
        }
    }

    /// The notice with what the message needs beyond the rule: the site's name and district, and
    /// what else is wrong there.
    func described(_ notice: AlertNotice) async -> AlertNotice {
        var n = notice
        if let code = n.labels["site"], let site = registry.withLock({ $0.sites[code] }) {
            n.context.siteName = site.name.isEmpty ? nil : site.name
            n.context.district = site.district.isEmpty ? nil : site.district
        }
        n.context.alsoAffected = await evaluator.alsoAffected(notice, language: language)
        if notice.firing { n.context.acknowledgeURL = acknowledgeLink(for: Self.id(of: notice)).url }
        return n
    }

    /// Every agent enrolled before this start is expected to report: until it does, it counts as
    /// last heard of when its site's newest stored point was taken (or now, for a site with none),
    /// so an office that went dark while the collector was down is still told.
    func seedContacts() async {
        do {
            let now = WallClock.nowMs()
            var newest: [String: TimestampMs] = [:]
            for (key, point) in try await store.everyLatest() {
                guard let site = key[label: "site"] else { continue }
                newest[site] = max(newest[site] ?? 0, point.timestamp)
            }
            let seeds = try await access.agents().filter { !$0.revoked }.map {
                AgentContact(site: $0.site, agent: $0.id, host: $0.hostname, path: "dedicated", at: min(newest[$0.site] ?? now, now))
            }
            await evaluator.seed(seeds)
        } catch {
            logger.error("could not read the agents for alerting", metadata: ["error": "\(error)"])
        }
    }

    /// Every site on a timer: silence, and what time alone changes (a held resolution, flapping settling).
    func evaluateEvery(_ interval: Duration) -> Task<Void, Never> {
        Task {
            await seedContacts()
            let dispatching = dispatchLoop()
            defer { dispatching.cancel() }
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                await evaluate(site: nil)
            }
        }
    }
}
