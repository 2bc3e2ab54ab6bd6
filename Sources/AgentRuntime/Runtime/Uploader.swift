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
    }

    /// Uploads until `shouldStop` says so; waits between attempts as the backoff says.
    func run(shouldStop: @Sendable () async -> Bool) async {
        while !(await shouldStop()) {
            let attempt = await uploadOnce()
            switch attempt {
            case .sent: continue
            case .nothingToSend: try? await Task.sleep(for: .seconds(1))
            case let .retry(after):
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
        if case .retry = attempt, settings.endpoint() != nil { try? await spool.count(1, as: "batches_retried") }
        return attempt
    }

    private func attemptOnce() async -> Attempt {
        guard let endpoint = settings.endpoint() else {
            if !warnedUnenrolled {
                logger.warning("not enrolled yet: results stay in the spool until commune-agent enroll has run")
                warnedUnenrolled = true
            }
            return .retry(after: .seconds(30))
        }
        let batch: SpoolBatch
        do {
            // Gather results into bigger batches, except for urgent rows, a full batch, or a retry.
            let waiting = try await spool.pending()
            let due = ContinuousClock.now - lastSend >= settings.flushInterval
            guard waiting.inFlight || waiting.urgent > 0 || waiting.unbatched >= batchLimit || due else { return .nothingToSend }
            guard let next = try await spool.nextBatch(limit: batchLimit) else { return .nothingToSend }
            lastSend = ContinuousClock.now
            batch = next
        } catch {
            logger.error("cannot read the spool", metadata: ["error": "\(error)"])
            return .retry(after: backoff.failed(random: Double.random(in: 0..<1)))
        }
        let body = Deflate.compress(Self.wireBatch(batch, site: site, path: "dedicated").encoded())
        var request = CurlRequest(url: endpoint.url.trimmingSuffixSlash() + "/api/v1/ingest")
        request.body = body
        request.reuseConnection = true
        request.timeout = .seconds(60)
        request.stallTimeout = settings.stallTimeout
        request.caFile = settings.caFile
        request.interface = settings.interface
        request.maxSendBytesPerSecond = settings.maxBytesPerSecond
        request.followRedirects = false
        request.headers = ["Authorization: Bearer \(endpoint.token)", "Content-Type: application/vnd.communewatch.batch",
                           "Content-Encoding: deflate", "CW-Batch: \(batch.id)", "CW-Path: dedicated", "Expect:"]
        let response: CurlResponse
        defer { Task { [spool] in try? await spool.count(body.count, as: "bytes_sent") } }
        do {
            response = try await http.perform(request)
        } catch {
            logger.warning("upload failed", metadata: ["batch": "\(batch.id)", "error": "\(error.message)"])
            return .retry(after: backoff.failed(random: Double.random(in: 0..<1)))
        }
        switch response.status {
        case 200:
            // Only a reply that names this batch counts: a proxy's page or garbage is not an acknowledgement.
            let reply = try? JSONValue.parse(String(decoding: response.body, as: UTF8.self))
            guard reply?["batch"]?.string == batch.id else {
                logger.warning("collector reply does not acknowledge the batch", metadata: ["batch": "\(batch.id)"])
                return .retry(after: backoff.failed(random: Double.random(in: 0..<1)))
            }
            do { try await spool.acknowledge(batch.id) } catch {
                logger.error("cannot update the spool", metadata: ["error": "\(error)"])
            }
            backoff.succeeded()
            batchLimit = min(batchLimit * 2, settings.batchSamples)
            return .sent
        case 413:
            batchLimit = max(batchLimit / 2, 10)
            try? await spool.release(batch.id)
            logger.notice("batch too large, sending smaller ones", metadata: ["limit": "\(batchLimit)"])
            return .retry(after: .milliseconds(100))
        case 429, 503:
            let retryAfter = response.headers["retry-after"].flatMap { Int($0) }.map { Duration.seconds($0) }
            return .retry(after: backoff.failed(retryAfter: retryAfter, random: Double.random(in: 0..<1)))
        default:
            logger.warning("collector refused the batch", metadata: ["batch": "\(batch.id)", "status": "\(response.status)",
                                                                    "reply": "\(String(decoding: response.body.prefix(200), as: UTF8.self))"])
            return .retry(after: backoff.failed(random: Double.random(in: 0..<1)))
        }
    }

    /// The spool's rows as a CWB1 batch: one series entry per key, points in spool order.
    static func wireBatch(_ batch: SpoolBatch, site: String, path: String) -> WireBatch {
        var order: [SeriesKey] = []
        var points: [SeriesKey: [WirePoint]] = [:]
        for s in batch.samples {
            if points[s.key] == nil { order.append(s.key) }
            points[s.key, default: []].append(WirePoint(
                timestamp: s.timestamp, value: s.value,
                aggregate: s.aggregate.map { .init(min: $0.min, max: $0.max, count: $0.count) }))
        }
        return WireBatch(id: hexBytes(batch.id), agentTime: WallClock.nowMs(), clockSynced: ClockSync.synchronised(),
                         path: path, site: site, series: order.map { WireSeries(key: $0, points: points[$0]!) },
                         events: batch.events)
    }

    static func hexBytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var chars = Array(hex.utf8)[...]
        while chars.count >= 2 {
            out.append(UInt8(String(decoding: chars.prefix(2), as: UTF8.self), radix: 16) ?? 0)
            chars = chars.dropFirst(2)
        }
        return out
    }
}
