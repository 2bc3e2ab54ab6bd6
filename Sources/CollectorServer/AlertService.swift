import Alerting
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
    /// Incidents with their history and notes, and the key of the acknowledge links.
    let incidents: any IncidentStore
    let links: AcknowledgeLink
    /// Where people's phones reach the collector (acknowledge links); set once the port is known when not configured.
    let publicURL: Mutex<String>
    let language: String
    /// When the site registry's upstream nodes were last read (they change seldom), and the sites then known.
    private let topologyRead = Mutex<(at: TimestampMs, sites: Set<String>)>((0, []))

    /// nil when no rules are configured.
    init?(settings: Collector.Settings, store: any MetricStore, access: any AccessStore, incidents: any IncidentStore, linkKey: String,
          logger: Logger) throws {
        guard let directory = settings.alertRules else { return nil }
        let rules = try RuleFile.loadDirectory(directory)
        guard !rules.isEmpty else { throw ImportError("no alert rules (*.yml) in \(directory)") }
        evaluator = AlertEvaluator(rules: rules, store: store)
        var notifiers: [any Notifier] = settings.webhooks.enumerated().map { WebhookNotifier(name: "webhook-\($0.offset + 1)", url: $0.element) }
        if let token = settings.telegramToken, let chat = settings.telegramChat {
            notifiers.append(TelegramNotifier(token: token, chat: chat, api: settings.telegramAPI, language: settings.alertLanguage))
        }
        queue = DeliveryQueue(notifiers: notifiers, logFile: settings.dataDirectory + "/deliveries.jsonl")
        self.logger = logger
        self.access = access
        self.incidents = incidents
        links = AcknowledgeLink(key: linkKey, lifetime: settings.acknowledgeLinkLifetime)
        publicURL = Mutex(settings.publicURL ?? "http://\(settings.host):\(settings.port)")
        language = settings.alertLanguage
        logger.info("alerting", metadata: ["rules": "\(rules.count)", "receivers": "\(notifiers.count)"])
    }

    /// After an upload of `site`: its rules now, without holding up the reply.
    func evaluateSoon(site: String) {
        Task { await evaluate(site: site) }
    }

    func evaluate(site: String?) async {
        do {
            let now = WallClock.nowMs()
            // Read again every 30 s, and at once for a site not seen before (just registered).
            if topologyRead.withLock({ read in
                guard now - read.at >= 30_000 || site.map({ !read.sites.contains($0) }) == true else { return false }
                read.at = now
                return true
            }) {
                let sites = try await access.sites()
                topologyRead.withLock { $0.sites = Set(sites.map(\.code)) }
                await evaluator.setUpstreams(Dictionary(sites.map { ($0.code, $0.upstream) }) { a, _ in a })
            }
            let notices = try await evaluator.evaluate(site: site, now: WallClock.nowMs())
            for notice in notices {
                logger.info("incident", metadata: ["alert": "\(notice.rule.name)", "change": "\(notice.changeName)", "site": "\(notice.labels["site"] ?? "")"])
                await queue.send([notice])
            }
        } catch {
            logger.error("alert evaluation failed", metadata: ["error": "\(error)"])
        }
    }

    /// Every site on a timer: silence, and what time alone changes (a held resolution, flapping settling).
    func evaluateEvery(_ interval: Duration) -> Task<Void, Never> {
        Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                await evaluate(site: nil)
            }
        }
    }
}
