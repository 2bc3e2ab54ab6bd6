/// Milliseconds since the Unix epoch, UTC: how CommuneWatch stores every instant.
public typealias TimestampMs = Int64

/// One number measured at one instant for one series.
public struct Sample: Hashable, Sendable, Codable {
    public let key: SeriesKey
    public let value: Double
    public let timestamp: TimestampMs

    public init(_ key: SeriesKey, _ value: Double, at timestamp: TimestampMs) {
        self.key = key
        self.value = value
        self.timestamp = timestamp
    }
}

/// A measured value before it is stamped and labelled with its probe's identity.
public struct Measurement: Hashable, Sendable {
    /// Metric name from `MetricCatalog`.
    public let metric: String
    /// Labels that vary inside one probe result (e.g. `phase`).
    public let labels: [String: String]
    public let value: Double

    public init(_ metric: String, _ value: Double, labels: [String: String] = [:]) {
        self.metric = metric
        self.value = value
        self.labels = labels
    }

    /// The series key this measurement has once the probe's own labels are added.
    public func key(adding probeLabels: [String: String]) -> SeriesKey {
        SeriesKey(metric, labels.merging(probeLabels) { own, _ in own })
    }
}
