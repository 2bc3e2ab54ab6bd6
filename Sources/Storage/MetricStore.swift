import WatchModel

/// Where the collector keeps time series and events; SQLite by default, PostgreSQL to scale.
public protocol MetricStore: Sendable {
    /// Stores one upload exactly once: a batch id seen before stores nothing and says so.
    func ingest(_ batch: IngestBatch) async throws -> IngestOutcome
    /// The raw points of one series in [from, to], in time order.
    func points(_ key: SeriesKey, from: TimestampMs, to: TimestampMs) async throws -> [WirePoint]
    /// The rollups of one series at `resolution` (`Rollup.fiveMinutes` or `Rollup.hour`) in [from, to].
    func rollups(_ key: SeriesKey, resolution: Int64, from: TimestampMs, to: TimestampMs) async throws -> [Rollup]
    /// Series of `metric` whose labels include every pair of `matching`.
    func series(metric: String, matching: [String: String]) async throws -> [SeriesKey]
    /// The newest point of each series of `metric` matching the labels.
    func latest(metric: String, matching: [String: String]) async throws -> [(key: SeriesKey, point: WirePoint)]
    /// The newest point of each series of `metric` (of one site, or all), with its labels as the
    /// stored JSON object text: the dashboard asks this for 3,300 sites at once, and re-encoding
    /// every label set would cost more than the query.
    func latestRows(metric: String, site: String?) async throws -> [LatestRow]
    /// The newest point of every series (for `/metrics`).
    func everyLatest() async throws -> [(key: SeriesKey, point: WirePoint)]
    /// Events, newest first, of one site or of all.
    func events(site: String?, from: TimestampMs, to: TimestampMs, limit: Int) async throws -> [Event]
}

/// One upload as the ingest route hands it to the store: authenticated, decoded, clock corrected.
public struct IngestBatch: Sendable {
    public var agentID: String
    /// The site the agent was enrolled for: every series and event is labelled with it.
    public var site: String
    /// The batch id in hex: the key of exactly-once storage.
    public var batchID: String
    public var catalog: UInt64
    public var definitions: [SeriesDefinition]
    public var series: [WireSeries]
    public var events: [Event]
    /// Milliseconds added to every timestamp (the agent's clock was off and not synchronised).
    public var clockCorrection: TimestampMs
    public var path: String

    public init(agentID: String, site: String, batchID: String, catalog: UInt64, definitions: [SeriesDefinition],
                series: [WireSeries], events: [Event], clockCorrection: TimestampMs = 0, path: String = "dedicated") {
        self.agentID = agentID
        self.site = site
        self.batchID = batchID
        self.catalog = catalog
        self.definitions = definitions
        self.series = series
        self.events = events
        self.clockCorrection = clockCorrection
        self.path = path
    }
}

/// What became of an upload.
public enum IngestOutcome: Sendable, Hashable {
    case stored(samples: Int)
    /// Stored before under the same id: nothing stored again.
    case duplicate
    /// The batch names series ids that no batch of its catalog defined (the agent defines them again).
    case unknownSeries([Int64])
}

/// One series' newest point, its labels still as the JSON object text the store keeps.
public struct LatestRow: Sendable, Hashable {
    public var labelsJSON: String
    public var timestamp: TimestampMs
    public var value: Double

    public init(labelsJSON: String, timestamp: TimestampMs, value: Double) {
        self.labelsJSON = labelsJSON
        self.timestamp = timestamp
        self.value = value
    }
}

extension MetricStore {
    /// By default from `latestRows` (what the database stores do): one indexed read, labels decoded only here.
    public func latest(metric: String, matching: [String: String]) async throws -> [(key: SeriesKey, point: WirePoint)] {
        try await latestRows(metric: metric, site: matching["site"]).compactMap { row in
            let labels = LabelText.decode(row.labelsJSON)
            guard matching.allSatisfy({ labels[$0.key] == $0.value }) else { return nil }
            return (SeriesKey(metric, labels), WirePoint(timestamp: row.timestamp, value: row.value))
        }
    }
}
