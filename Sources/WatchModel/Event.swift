/// A fact that is not a number, with its time: an inventory snapshot, a configuration change, a probe error.
public struct Event: Hashable, Sendable {
    /// What kind of fact: `inventory`, `config_changed`, …
    public var kind: String
    public var timestamp: TimestampMs
    /// Who it is about: `site`, `target`, `device`…
    public var labels: [String: String]
    /// One line for people, e.g. "DNS server 8.8.8.8 → 203.113.131.1".
    public var text: String
    /// The whole fact as a JSON document, when there is one (an inventory snapshot).
    public var document: String?

    public init(kind: String, timestamp: TimestampMs, labels: [String: String] = [:], text: String, document: String? = nil) {
        self.kind = kind
        self.timestamp = timestamp
        self.labels = labels
        self.text = text
        self.document = document
    }

    /// The event kind for a change between two snapshots of a PC or a device.
    public static let configChanged = "config_changed"
    /// The event kind for a confirmed change of a probe's state (ok, degraded, failed), sent ahead of the backlog.
    public static let stateChanged = "state_changed"
    /// The event kind for a full inventory snapshot.
    public static let inventory = "inventory"
}
