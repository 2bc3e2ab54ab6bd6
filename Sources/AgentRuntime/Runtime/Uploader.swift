import Curl
import Deflate
import Logging
import Probes
import WatchModel

/// Sends the spool to the collector, batch by batch, and deletes only what the collector acknowledged.
actor Uploader {
    private let settings: CollectorSettings
    private let spool: SpoolWriter
    private let site: String
    private let logger: Logger
    private let http: HTTPEngine
    private var backoff = UploadBackoff()
    private var batchLimit: Int
    private var warnedUnenrolled = false
    /// URL and token in use; nil until enrolled, and after the collector refused them (re-read then).
    private var endpoint: (url: String, token: String)?
    /// The previous attempt was refused for an unknown catalog: a second refusal backs off.
    private var catalogRefused = false
    /// The dedicated line could not reach the collector: essentials go over 4G.
    private var onFallback = false
    private var nextDedicatedCheck = ContinuousClock.now
    private var lastFallbackSend: ContinuousClock.Instant?
    /// The last essentials batch over 4G failed: retry it without waiting for the heartbeat.
    private var fallbackRetry = false
    /// Each path's measured capacity, for the default catch-up cap.
    private var capacity: [Path: LineCapacity] = [:]
    /// A capped catch-up batch went: the next may start once its bytes fit the cap. Curl's own
    /// limit cannot do this alone, since a batch smaller than its upload buffer leaves in one write.
    private var pacedUntil: ContinuousClock.Instant?
    /// When the last batch went, by the monotonic clock.
    private var lastSend = ContinuousClock.now
    /// Whether the agent's own probes of the dedicated line (path "dedicated") say it is down.
    private let dedicatedPathDown: @Sendable () async -> Bool
    /// The collector answered over the dedicated line although its probes say it is down (a probe
    /// aimed wrong): their word is not taken again until they see the line up.
    private var pathHintIgnored = false
    /// The upload loop is busy with an attempt or waiting out a retry.
    private var heldUp = false

    init(settings: CollectorSettings, spool: SpoolWriter, site: String, logger: Logger, http: HTTPEngine,
         dedicatedPathDown: @escaping @Sendable () async -> Bool = { false }) {
        self.dedicatedPathDown = dedicatedPathDown
        self.settings = settings
        self.spool = spool
        self.site = site
        self.logger = logger
        self.http = http
        batchLimit = settings.batchSamples
        backoff = UploadBackoff(base: .seconds(2), ceiling: settings.backoffMax)
    }

    /// What one attempt came to.
    enum Attempt: Equatable {
        case sent
        case nothingToSend
        case retry(after: Duration)
        /// Catch-up is paced to its cap: the next batch may go after this long.
        case paced(Duration)
    }

    /// Uploads until `shouldStop` says so; waits between attempts as the backoff says.
    func run(shouldStop: @escaping @Sendable () async -> Bool) async {
        let watcher = Task { await self.sendUrgentWhileHeldUp(shouldStop: shouldStop) }
        defer { watcher.cancel() }
        while !(await shouldStop()) {
            heldUp = true
            let attempt = await uploadOnce()
            switch attempt {
            case .sent: continue
            case .nothingToSend:
                heldUp = false
                try? await Task.sleep(for: .seconds(1))
            case let .retry(after), let .paced(after):
                // Sleep in short steps so SIGTERM is not held up by a long backoff.
                var left = after
                while left > .zero, !(await shouldStop()) {
                    let step = min(left, .milliseconds(200))
                    try? await Task.sleep(for: step)
                    left -= step
                }
            }
        }
    }

    /// While the loop above is held up (a batch on a kept-alive connection over a line just cut
    /// waits out its stall timeout; a backoff), the line's own news must not wait with it: once
    /// the probes confirmed the line down, urgent rows go over 4G meanwhile (rows the held batch
    /// does not hold, so nothing travels twice under two ids).
    private func sendUrgentWhileHeldUp(shouldStop: @Sendable () async -> Bool) async {
        while !Task.isCancelled, !(await shouldStop()) {
            try? await Task.sleep(for: .milliseconds(500))
            guard heldUp, settings.fallbackInterface != nil, let endpoint, !pathHintIgnored, await dedicatedPathDown() else { continue }
            guard let waiting = try? await spool.pending(), waiting.urgent > 0 else { continue }
            _ = await fallbackAttempt(endpoint)
        }
    }

    /// One batch: build, compress, send, and act on the reply; a failed attempt counts as a retry.
    func uploadOnce() async -> Attempt {
        let attempt = await attemptOnce()
        if case .retry = attempt, endpoint != nil { try? await spool.count(1, as: "batches_retried") }
        return attempt
    }

    /// The way out a batch takes: the dedicated line, or the 4G interface while the line is down.
    enum Path: String {
        case dedicated
        case fallback = "4g"
    }

    /// What the collector (or the network) made of one request.
    enum Delivery {
        case stored
        /// No HTTP reply at all: refused, timed out, reset, TLS failure.
        case unreachable(String)
        /// An HTTP reply that did not store the batch.
        case replied(CurlResponse)
    }

    private func attemptOnce() async -> Attempt {
        // The credentials file is read until enrollment has written it, and again after the
        // collector refused them; not on every attempt.
        if endpoint == nil { endpoint = settings.endpoint() }
        guard let endpoint else {
            if !warnedUnenrolled {
                logger.warning("not enrolled yet: results stay in the spool until commune-agent enroll has run")
                warnedUnenrolled = true
            }
            return .retry(after: .seconds(30))
        }
        let pathDown = await dedicatedPathDown()
        if !pathDown { pathHintIgnored = false }
        if !onFallback, pathDown, !pathHintIgnored, settings.fallbackInterface != nil {
            // The probes confirmed the line down: the state change goes over 4G at once, without
            // first waiting for an upload over the dead line to time out.
            logger.warning("the agent's probes say the dedicated line is down: using the 4G fallback",
                           metadata: ["interface": "\(settings.fallbackInterface ?? "")"])
            onFallback = true
            nextDedicatedCheck = ContinuousClock.now + settings.recheckInterval
        }
        if onFallback {
            // Essentials first (a line cut must reach the collector in seconds), then a look at the line.
            if let sent = await fallbackAttempt(endpoint) { return sent }
            guard ContinuousClock.now >= nextDedicatedCheck else { return .nothingToSend }
            nextDedicatedCheck = ContinuousClock.now + settings.recheckInterval
        }
        let (attempt, unreachable) = await dedicatedAttempt(endpoint)
        if let failed = unreachable, settings.fallbackInterface != nil {
            if !onFallback {
                logger.warning("the dedicated line cannot reach the collector: using the 4G fallback",
                               metadata: ["interface": "\(settings.fallbackInterface ?? "")"])
                onFallback = true
                nextDedicatedCheck = ContinuousClock.now + settings.recheckInterval
            }
            // The batch that found the line dead carries events (a state change, most likely the
            // line's own): it goes over 4G as it is, under the same id, so it is stored once
            // whichever way it arrived. Other batches wait for the line.
            if !failed.events.isEmpty {
                let delivery = await deliver(failed, endpoint: endpoint, path: .fallback)
                if case .stored = delivery { lastFallbackSend = ContinuousClock.now }
                return await settle(failed, delivery)
            }
            return await fallbackAttempt(endpoint) ?? .retry(after: .seconds(1))
        }
        if onFallback, unreachable == nil {
            logger.notice("the dedicated line reaches the collector again")
            onFallback = false
            if pathDown { pathHintIgnored = true }
        }
        return attempt
    }

    /// A normal batch over the dedicated line; `unreachable` is the batch when no HTTP reply came back.
    private func dedicatedAttempt(_ endpoint: (url: String, token: String)) async -> (Attempt, unreachable: SpoolBatch?) {
        let batch: SpoolBatch
        do {
            // Gather results into bigger batches, except for urgent rows, a full batch, or a retry.
            let waiting = try await spool.pending()
            let due = ContinuousClock.now - lastSend >= settings.flushInterval
            let mustCheck = onFallback   // the recheck of a line that was down sends whatever is there
            if let until = pacedUntil, ContinuousClock.now < until, waiting.urgent == 0, !waiting.inFlight {
                return (.paced(until - ContinuousClock.now), nil)
            }
            guard waiting.inFlight || waiting.urgent > 0 || waiting.unbatched >= batchLimit || due || mustCheck else {
                return (.nothingToSend, nil)
            }
            guard let next = try await spool.nextBatch(limit: batchLimit) else { return (.nothingToSend, nil) }
            lastSend = ContinuousClock.now
            batch = next
        } catch {
            logger.error("cannot read the spool", metadata: ["error": "\(error)"])
            return (.retry(after: backoff.failed(random: Double.random(in: 0..<1))), nil)
        }
        let delivery = await deliver(batch, endpoint: endpoint, path: .dedicated)
        if case .unreachable = delivery { return (await settle(batch, delivery), batch) }
        return (await settle(batch, delivery), nil)
    }

    /// Over 4G: urgent rows, events and the heartbeat (self-metrics), or everything when
    /// `fallback_backlog` says so. Nil when nothing is due on the fallback.
    private func fallbackAttempt(_ endpoint: (url: String, token: String)) async -> Attempt? {
        let batch: SpoolBatch
        do {
            let waiting = try await spool.pending()
            let heartbeatDue = lastFallbackSend.map { ContinuousClock.now - $0 >= settings.heartbeatInterval } ?? true
            guard waiting.urgent > 0 || heartbeatDue || fallbackRetry || settings.fallbackBacklog else { return nil }
            let lane: SpoolLane = settings.fallbackBacklog ? .everything : .essentials
            if let next = try await spool.nextBatch(limit: batchLimit, lane: lane) {
                batch = next
            } else if heartbeatDue {
                // Nothing essential waits: the heartbeat is a batch with no rows, its header says enough
                // (agent clock, path): "line down, office alive".
                batch = SpoolBatch(id: Spool.newBatchID(), catalog: 0, definitions: [], samples: [], events: [])
            } else {
                return nil
            }
        } catch {
            logger.error("cannot read the spool", metadata: ["error": "\(error)"])
            return .retry(after: backoff.failed(random: Double.random(in: 0..<1)))
        }
        let delivery = await deliver(batch, endpoint: endpoint, path: .fallback)
        let attempt = await settle(batch, delivery)
        if case .stored = delivery {
            lastFallbackSend = ContinuousClock.now
            fallbackRetry = false
        } else {
            fallbackRetry = true
        }
        return attempt
    }

    /// Compresses and sends one batch over `path`.
    private func deliver(_ batch: SpoolBatch, endpoint: (url: String, token: String), path: Path) async -> Delivery {
        let body = Deflate.compress(Self.wireBatch(batch, site: site, path: path.rawValue).encoded())
        var request = CurlRequest(url: endpoint.url.trimmingSuffixSlash() + "/api/v1/ingest")
        request.body = body
        request.reuseConnection = true
        request.timeout = .seconds(60)
        request.connectTimeout = settings.connectTimeout
        request.stallTimeout = settings.stallTimeout
        // A batch with events (a state change) on a kept-alive connection over a line just cut
        // would wait the whole stall timeout: it gives up as soon as a new connection would.
        if path == .dedicated, !batch.events.isEmpty { request.stallTimeout = min(settings.stallTimeout, settings.connectTimeout) }
        request.caFile = settings.caFile
        request.interface = path == .dedicated ? settings.interface : settings.fallbackInterface
        // Catch-up (a full batch, more waiting behind it) is capped; the regular flow and urgent rows are not.
        let catchingUp = batch.samples.count >= batchLimit
        request.maxSendBytesPerSecond = catchingUp ? settings.maxBytesPerSecond ?? capacity[path, default: LineCapacity()].capForCatchUp() : nil
        request.followRedirects = false
        request.headers = ["Authorization: Bearer \(endpoint.token)", "Content-Type: application/vnd.communewatch.batch",
                           "Content-Encoding: deflate", "CW-Batch: \(batch.wireID)", "CW-Path: \(path.rawValue)", "Expect:"]
        defer { Task { [spool] in try? await spool.count(body.count, as: "bytes_sent") } }
        let started = ContinuousClock.now
        if let cap = request.maxSendBytesPerSecond {
            pacedUntil = started + .milliseconds(Int64(body.count) * 1000 / Int64(max(cap, 1)))
        }
        do {
            let response = try await http.perform(request)
            if request.maxSendBytesPerSecond == nil {
                // From the end of the request's setup to the first byte of the reply: the body's way up.
                capacity[path, default: LineCapacity()].record(bytes: body.count, seconds: response.times.startTransfer - response.times.preTransfer)
            }
            // Only a reply that names this batch counts: a proxy's page or garbage is not an acknowledgement.
            if response.status == 200 {
                let reply = try? JSONValue.parse(String(decoding: response.body, as: UTF8.self))
                if reply?["batch"]?.string == batch.wireID { return .stored }
            }
            return .replied(response)
        } catch {
            logger.warning("upload failed", metadata: ["batch": "\(batch.wireID)", "path": "\(path.rawValue)", "error": "\(error.message)"])
            return .unreachable(error.message)
        }
    }

    /// Acts on what came of a batch: the spool forgets only what the collector stored.
    private func settle(_ batch: SpoolBatch, _ delivery: Delivery) async -> Attempt {
        let response: CurlResponse
        switch delivery {
        case .stored:
            do { try await spool.acknowledge(batch.id) } catch {
                logger.error("cannot update the spool", metadata: ["error": "\(error)"])
            }
            backoff.succeeded()
            catalogRefused = false
            batchLimit = min(batchLimit * 2, settings.batchSamples)
            return .sent
        case .unreachable:
            return .retry(after: backoff.failed(random: Double.random(in: 0..<1)))
        case let .replied(r):
            response = r
        }
        switch response.status {
        case 200:
            logger.warning("collector reply does not acknowledge the batch", metadata: ["batch": "\(batch.wireID)"])
            return .retry(after: backoff.failed(random: Double.random(in: 0..<1)))
        case 409:
            // The collector does not know (or lost) this spool's series catalog: define every series again.
            logger.notice("collector asked for the series definitions again", metadata: ["batch": "\(batch.wireID)"])
            try? await spool.forgetAnnouncements()
            defer { catalogRefused = true }
            return .retry(after: catalogRefused ? backoff.failed(random: Double.random(in: 0..<1)) : .milliseconds(100))
        case 413:
            batchLimit = max(batchLimit / 2, 10)
            try? await spool.release(batch.id)
            logger.notice("batch too large, sending smaller ones", metadata: ["limit": "\(batchLimit)"])
            return .retry(after: .milliseconds(100))
        case 401, 403:
            endpoint = nil
            logger.warning("collector refused the credentials", metadata: ["batch": "\(batch.wireID)", "status": "\(response.status)"])
            return .retry(after: backoff.failed(random: Double.random(in: 0..<1)))
        case 429, 503:
            let retryAfter = response.headers["retry-after"].flatMap { Int($0) }.map { Duration.seconds($0) }
            return .retry(after: backoff.failed(retryAfter: retryAfter, random: Double.random(in: 0..<1)))
        default:
            logger.warning("collector refused the batch", metadata: ["batch": "\(batch.wireID)", "status": "\(response.status)",
                                                                    "reply": "\(String(decoding: response.body.prefix(200), as: UTF8.self))"])
            return .retry(after: backoff.failed(random: Double.random(in: 0..<1)))
        }
    }

    /// The spool's rows as a CWB2 batch: one entry per series, in id order (consecutive ids cost least),
    /// points in spool order.
    static func wireBatch(_ batch: SpoolBatch, site: String, path: String) -> WireBatch {
        var points: [Int64: [WirePoint]] = [:]
        for s in batch.samples {
            points[s.series, default: []].append(WirePoint(
                timestamp: s.timestamp, value: s.value,
                aggregate: s.aggregate.map { .init(min: $0.min, max: $0.max, count: $0.count) }))
        }
        return WireBatch(id: Hex.decode(batch.wireID), agentTime: WallClock.nowMs(), clockSynced: ClockSync.synchronised(),
                         path: path, site: site, catalog: batch.catalog, definitions: batch.definitions,
                         series: points.keys.sorted().map { id in WireSeries(id: id, points: points[id]!.sorted { $0.timestamp < $1.timestamp }) },
                         events: batch.events)
    }
}
