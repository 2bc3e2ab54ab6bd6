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

    init(settings: CollectorSettings, spool: SpoolWriter, site: String, logger: Logger, http: HTTPEngine) {
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
    func run(shouldStop: @Sendable () async -> Bool) async {
        while !(await shouldStop()) {
            let attempt = await uploadOnce()
            switch attempt {
            case .sent: continue
            case .nothingToSend: try? await Task.sleep(for: .seconds(1))
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
        if onFallback {
            // Essentials first (a line cut must reach the collector in seconds), then a look at the line.
            if let sent = await fallbackAttempt(endpoint) { return sent }
            guard ContinuousClock.now >= nextDedicatedCheck else { return .nothingToSend }
            nextDedicatedCheck = ContinuousClock.now + settings.recheckInterval
        }
        let (attempt, unreachable) = await dedicatedAttempt(endpoint)
        if unreachable, settings.fallbackInterface != nil {
            if !onFallback {
                logger.warning("the dedicated line cannot reach the collector: using the 4G fallback",
                               metadata: ["interface": "\(settings.fallbackInterface ?? "")"])
                onFallback = true
                nextDedicatedCheck = ContinuousClock.now + settings.recheckInterval
            }
            return await fallbackAttempt(endpoint) ?? .retry(after: .seconds(1))
        }
        if onFallback, !unreachable {
            logger.notice("the dedicated line reaches the collector again")
            onFallback = false
        }
        return attempt
    }

    /// A normal batch over the dedicated line; `unreachable` when no HTTP reply came back.
    private func dedicatedAttempt(_ endpoint: (url: String, token: String)) async -> (Attempt, unreachable: Bool) {
        let batch: SpoolBatch
        do {
            // Gather results into bigger batches, except for urgent rows, a full batch, or a retry.
            let waiting = try await spool.pending()
            let due = ContinuousClock.now - lastSend >= settings.flushInterval
            let mustCheck = onFallback   // the recheck of a line that was down sends whatever is there
            if let until = pacedUntil, ContinuousClock.now < until, waiting.urgent == 0, !waiting.inFlight {
                return (.paced(until - ContinuousClock.now), false)
            }
            guard waiting.inFlight || waiting.urgent > 0 || waiting.unbatched >= batchLimit || due || mustCheck else {
                return (.nothingToSend, false)
            }
            guard let next = try await spool.nextBatch(limit: batchLimit) else { return (.nothingToSend, false) }
            lastSend = ContinuousClock.now
            batch = next
        } catch {
            logger.error("cannot read the spool", metadata: ["error": "\(error)"])
            return (.retry(after: backoff.failed(random: Double.random(in: 0..<1))), false)
        }
        let delivery = await deliver(batch, endpoint: endpoint, path: .dedicated)
        if case .unreachable = delivery { return (await settle(batch, delivery), true) }
        return (await settle(batch, delivery), false)
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
