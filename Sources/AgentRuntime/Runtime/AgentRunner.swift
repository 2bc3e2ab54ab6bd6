import Logging
import Probes
import SQLite
import WatchModel

/// `commune-agent run`: runs every probe on its schedule, confirms changes of state, and writes every
/// result to the spool before anything else happens to it.
public actor AgentRunner {
    /// The configuration in force: the local file with the collector's probe list laid over it.
    private var config: AgentConfig
    private var local: AgentConfig
    private var remote: AgentConfig?
    private var remoteETag: String?
    private let logger: Logger
    private let probeRunner = ProbeRunner()
    private var stopping = false
    private var schedules: [String: ProbeSchedule] = [:]
    private var confirmations: [String: StateConfirmation] = [:]
    private var reprobes: [(due: Double, name: String)] = []
    private var lastInventory: HostInventory?
    /// Each SNMP device's previous poll, by probe name: a changed identity, firmware or port is a config_changed event.
    private var lastDevices: [String: DeviceSnapshot] = [:]
    /// Each path's reachability probes and whether their confirmed state is up: `probe_path_up` is 1
    /// while any of them passes (confirmed, so one lost echo does not take a line down) or its far end
    /// answered at all (a lossy round is a lossy line, told by HighLoss, not a cut one).
    private var pathProbes: [String: [String: Bool]] = [:]
    /// Each path's last `probe_path_up` sample: written again on a change, or after 10 s, never
    /// twice at one millisecond (probes of one path often finish together).
    private var pathWritten: [String: (time: TimestampMs, up: Bool)] = [:]
    /// Probes running now (scheduled or confirming): a probe never overlaps itself.
    private var active: Set<String> = []

    public init(config: AgentConfig, logger: Logger) {
        local = config
        self.logger = logger
        // The last good copy of the collector's list: the agent runs from it even when the collector is unreachable.
        if config.collector != nil, let stored = CentralConfig.stored(at: config.runtime.remoteConfigPath) {
            remote = try? AgentConfig.parse(stored.text, source: config.runtime.remoteConfigPath)
            remoteETag = remote == nil ? nil : stored.etag
        }
        self.config = CentralConfig.merge(local: config, remote: remote)
    }

    /// Whether the probes of `path` confirmed it down (the uploader then goes to 4G at once).
    func pathDown(_ path: String) -> Bool { pathWritten[path]?.up == false }

    /// Stops at the next tick; probes already running finish within their deadlines.
    public func stop() {
        stopping = true
        logger.info("stopping")
    }

    /// Takes a new configuration (SIGHUP); schedules of unchanged probe names carry on.
    public func reload(_ new: AgentConfig) {
        local = new
        lastDevices = [:]   // a probe may now point at another device: no baseline to compare with
        apply()
        logger.info("configuration reloaded", metadata: ["probes": "\(config.probes.count)"])
    }

    /// Asks the collector for the province's probe list and applies it when it changed and is valid.
    func refreshCentralConfig() async {
        guard let collector = local.collector else { return }
        switch await CentralConfig.fetch(collector, etag: remoteETag, http: probeRunner.http) {
        case .unchanged:
            break
        case let .failed(reason):
            logger.debug("central configuration not fetched", metadata: ["reason": "\(reason)"])
        case let .updated(text, etag):
            do {
                let parsed = try AgentConfig.parse(text, source: "the collector's configuration")
                CentralConfig.store(text, etag: etag, at: local.runtime.remoteConfigPath)
                remote = parsed
                remoteETag = etag
                apply()
                logger.info("central configuration applied", metadata: ["probes": "\(config.probes.count)", "etag": "\(etag ?? "")"])
            } catch {
                // A broken list from the collector must not stop 96 offices measuring: keep the last good one.
                logger.error("central configuration rejected, keeping the last good one", metadata: ["error": "\(error)"])
            }
        }
    }

    private func apply() {
        let new = CentralConfig.merge(local: local, remote: remote)
        config = new
        let names = Set(new.probes.map(\.spec.name))
        schedules = schedules.filter { names.contains($0.key) }
        confirmations = confirmations.filter { names.contains($0.key) }
    }

    /// True once `stop()` was called.
    public func isStopping() -> Bool { stopping }

    private enum Completion: Sendable {
        case tick
        case uploaderDone
        case probe(name: String, outcome: ProbeOutcome, confirming: Bool)
    }

    /// Runs until `stop()`.
    public func run() async throws(SQLiteError) {
        let spool = try SpoolWriter(path: config.runtime.spoolPath, capBytes: config.runtime.spoolMaxBytes)
        let start = Self.now()
        var lastHousekeeping = -Double.infinity
        logger.info("running", metadata: ["probes": "\(config.probes.count)", "spool": "\(config.runtime.spoolPath)"])
        await withTaskGroup(of: Completion.self) { group in
            var running = 0
            group.addTask { .tick }
            if let collector = config.collector {
                let runner = self
                let interval = collector.configInterval
                group.addTask {
                    while !(await runner.isStopping()) {
                        await runner.refreshCentralConfig()
                        var left = interval
                        while left > .zero, !(await runner.isStopping()) {
                            try? await Task.sleep(for: min(left, .milliseconds(200)))
                            left -= min(left, .milliseconds(200))
                        }
                    }
                    return .uploaderDone
                }
                let uploader = Uploader(settings: collector, spool: spool, site: config.site ?? "", logger: logger, http: probeRunner.http,
                                        dedicatedPathDown: { await runner.pathDown("dedicated") })
                group.addTask {
                    await uploader.run(shouldStop: { await runner.isStopping() })
                    return .uploaderDone
                }
            }
            while let completion = await group.next() {
                switch completion {
                case .tick:
                    if stopping { group.cancelAll(); continue }
                    let now = Self.now()
                    if now - lastHousekeeping >= 60 {
                        lastHousekeeping = now
                        await housekeeping(spool)
                    }
                    for probe in config.probes {
                        var schedule = schedules[probe.spec.name]
                            ?? ProbeSchedule(interval: probe.spec.interval, random: Double.random(in: 0..<1), start: start)
                        if schedule.isDue(at: now), !active.contains(probe.spec.name), running < config.runtime.maxConcurrent {
                            schedule.started(at: now)
                            active.insert(probe.spec.name)
                            running += 1
                            group.addTask { [probeRunner] in .probe(name: probe.spec.name, outcome: await probeRunner.run(probe.spec), confirming: false) }
                        }
                        schedules[probe.spec.name] = schedule
                    }
                    for (index, reprobe) in reprobes.enumerated().reversed()
                    where reprobe.due <= now && !active.contains(reprobe.name) && running < config.runtime.maxConcurrent {
                        reprobes.remove(at: index)
                        guard let probe = config.probes.first(where: { $0.spec.name == reprobe.name }) else { continue }
                        active.insert(probe.spec.name)
                        running += 1
                        group.addTask { [probeRunner] in .probe(name: probe.spec.name, outcome: await probeRunner.run(probe.spec), confirming: true) }
                    }
                    // Sleep until the next thing is due (a probe, a re-probe, housekeeping), at most 1 s so
                    // SIGTERM and reloads are noticed quickly: an idle agent wakes about once a second.
                    let nextProbe = config.probes.compactMap { schedules[$0.spec.name]?.nextDue }.min() ?? now + 1
                    let nextReprobe = reprobes.map(\.due).min() ?? now + 1
                    let wait = min(max(min(nextProbe, nextReprobe, lastHousekeeping + 60) - Self.now(), 0.05), 1)
                    group.addTask { try? await Task.sleep(for: .milliseconds(Int(wait * 1000))); return .tick }
                case .uploaderDone:
                    continue
                case let .probe(name, outcome, confirming):
                    running -= 1
                    active.remove(name)
                    if !confirming { schedules[name]?.finished() }
                    await record(name: name, outcome: outcome, into: spool)
                }
            }
        }
        logger.info("stopped")
    }

    /// Stores the outcome; a confirmed change of state is marked urgent (sent ahead of the batches).
    private func record(name: String, outcome: ProbeOutcome, into spool: SpoolWriter) async {
        guard let probe = config.probes.first(where: { $0.spec.name == name }) else { return }
        let verdict = Assessment(probe, outcome, language: .en).verdict
        var confirmation = confirmations[name]
            ?? StateConfirmation(retries: config.runtime.confirmRetries, spacing: config.runtime.confirmSpacing)
        let action = confirmation.observe(verdict)
        confirmations[name] = confirmation
        var stateChange: Event?
        switch action {
        case let .reprobe(after):
            reprobes.append((Self.now() + after.seconds, name))
        case let .confirmed(state):
            logger.notice("state changed", metadata: ["probe": "\(name)", "state": "\(state.rawValue)",
                                                      "error": "\(outcome.failure?.detail ?? "")"])
            // The change travels as an urgent event, ahead of every batch; the samples keep their place
            // in the backlog, so each series still arrives in time order.
            var labels = probe.spec.labels
            if let site = config.site { labels["site"] = site }
            labels["state"] = state.rawValue
            stateChange = Event(kind: Event.stateChanged, timestamp: outcome.startedAt, labels: labels,
                                text: "\(name): \(state.rawValue)" + (outcome.failure.map { " (\($0.detail))" } ?? ""))
        case .none, .dismissed:
            break
        }
        var samples = outcome.samples
        if let site = config.site { samples = samples.map { Sample($0.key.adding(["site": site]), $0.value, at: $0.timestamp) } }
        var pathUp: [Sample] = []
        if [.icmp, .tcp, .dns, .http].contains(probe.spec.target.kind) {
            let path = probe.spec.path
            // A passing round while the failure is not yet confirmed over counts too: the far end
            // answered (CI saw a lossy line paged down when a round passed between two that failed).
            let answered = outcome.failure.map { $0.kind.farEndAnswered } ?? true
            pathProbes[path, default: [:]][name] = confirmation.confirmed != .failed || answered
            let up = pathProbes[path]!.values.contains(true)
            let now = WallClock.nowMs()
            if let last = pathWritten[path], last.up == up, now - last.time < 10_000 {
                // Unchanged and recent: nothing new to say.
            } else {
                var labels = ["path": path]
                if let site = config.site { labels["site"] = site }
                let time = max(now, (pathWritten[path]?.time ?? 0) + 1)
                pathWritten[path] = (time, up)
                pathUp = [Sample(SeriesKey(MetricCatalog.pathUp.name, labels), up ? 1 : 0, at: time)]
            }
        }
        do {
            // Before the urgent event: the batch it sets off carries the path's new state along
            // (probe_path_up travels with the essentials over 4G too).
            try await spool.append(pathUp, urgent: false)
            if let stateChange { try await spool.append(stateChange, urgent: true) }
            try await spool.append(samples, urgent: false)
            if let host = outcome.result as? HostResult {
                let labels = config.site.map { ["site": $0] } ?? [:]
                for event in host.inventory.events(since: lastInventory, at: outcome.startedAt, labels: labels)
                where lastInventory == nil || event.kind == Event.configChanged {
                    try await spool.append(event)
                }
                lastInventory = host.inventory
            }
            if let device = outcome.result as? SNMPDeviceResult {
                if let old = lastDevices[name] {
                    var labels = probe.spec.labels
                    if let site = config.site { labels["site"] = site }
                    for change in device.current.changes(since: old) {
                        try await spool.append(Event(kind: Event.configChanged, timestamp: outcome.startedAt,
                                                     labels: labels.merging(["field": change.field]) { a, _ in a },
                                                     text: "\(name): \(change.description)"))
                    }
                }
                lastDevices[name] = device.current
            }
        } catch {
            logger.error("cannot write to the spool", metadata: ["error": "\(error)"])
        }
    }

    private func housekeeping(_ spool: SpoolWriter) async {
        do {
            let (thinned, dropped) = try await spool.enforceCap()
            if thinned + dropped > 0 {
                logger.warning("spool full", metadata: ["thinned": "\(thinned)", "dropped": "\(dropped)"])
            }
            let stats = try await spool.stats()
            try await spool.append(SelfMetrics.samples(spool: stats, site: config.site, at: WallClock.nowMs()), urgent: false)
        } catch {
            logger.error("spool housekeeping failed", metadata: ["error": "\(error)"])
        }
    }

    /// Monotonic seconds since the process started its clock (the schedule's time line).
    private static func now() -> Double { (ContinuousClock.now - origin).seconds }
    private static let origin = ContinuousClock.now
}
