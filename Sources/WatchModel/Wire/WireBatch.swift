/// One upload from an agent to the collector, as `docs/protocol.md` (format CWB2) describes it.
public struct WireBatch: Sendable, Hashable {
    /// Idempotent id: a retried upload carries the same id, and the collector stores it once.
    public var id: [UInt8]
    /// The agent's clock when it built the batch, so the collector can correct skew.
    public var agentTime: TimestampMs
    /// Whether the agent's clock is NTP-synchronised; nil when the agent cannot tell.
    public var clockSynced: Bool?
    /// Since when it has been synchronised, if known.
    public var syncedSince: TimestampMs?
    /// The path the batch travelled on: `dedicated`, `4g`.
    public var path: String
    public var site: String
    /// Which of the agent's series catalogs the ids refer to (one per spool: a new spool starts a new one).
    public var catalog: UInt64
    /// Series the collector has not acknowledged yet: their ids, with metric and labels.
    public var definitions: [SeriesDefinition]
    public var series: [WireSeries]
    public var events: [Event]

    public init(id: [UInt8], agentTime: TimestampMs, clockSynced: Bool? = nil, syncedSince: TimestampMs? = nil,
                path: String, site: String, catalog: UInt64 = 0, definitions: [SeriesDefinition] = [],
                series: [WireSeries] = [], events: [Event] = []) {
        self.id = id
        self.agentTime = agentTime
        self.clockSynced = clockSynced
        self.syncedSince = syncedSince
        self.path = path
        self.site = site
        self.catalog = catalog
        self.definitions = definitions
        self.series = series
        self.events = events
    }

    /// Number of samples (raw or aggregate) in the batch.
    public var sampleCount: Int { series.reduce(0) { $0 + $1.points.count } }
}

/// The points of one series in a batch; the series is named by its id in the agent's catalog.
public struct WireSeries: Sendable, Hashable {
    public var id: Int64
    public var points: [WirePoint]

    public init(id: Int64, points: [WirePoint]) {
        self.id = id
        self.points = points
    }
}

/// A series id with the metric and labels it stands for: sent until the collector has acknowledged it once.
public struct SeriesDefinition: Sendable, Hashable {
    public var id: Int64
    public var key: SeriesKey

    public init(id: Int64, key: SeriesKey) {
        self.id = id
        self.key = key
    }
}

/// One value at one time; aggregates (made when a full spool was thinned) carry min, max and count.
public struct WirePoint: Sendable, Hashable {
    public var timestamp: TimestampMs
    public var value: Double
    public var aggregate: Aggregate?

    /// Min, max and how many raw samples an aggregate point stands for (the value is their mean).
    public struct Aggregate: Sendable, Hashable {
        public var min: Double
        public var max: Double
        public var count: Int

        public init(min: Double, max: Double, count: Int) {
            self.min = min
            self.max = max
            self.count = count
        }
    }

    public init(timestamp: TimestampMs, value: Double, aggregate: Aggregate? = nil) {
        self.timestamp = timestamp
        self.value = value
        self.aggregate = aggregate
    }

    public static func == (a: WirePoint, b: WirePoint) -> Bool {
        a.timestamp == b.timestamp && a.value.bitPattern == b.value.bitPattern && a.aggregate == b.aggregate
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(timestamp)
        hasher.combine(value.bitPattern)
    }
}
