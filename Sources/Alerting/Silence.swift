import WatchModel

/// "Commune X, planned power cut 08:00–12:00": notifications whose labels match are not sent
/// between `starts` and `ends`; the incidents are still kept.
public struct Silence: Sendable, Hashable {
    public var id: String
    /// Label equalities, all of which must hold (`site`, `alertname`, `severity`, …).
    public var matchers: [String: String]
    public var starts: TimestampMs
    public var ends: TimestampMs
    public var createdBy: String
    public var comment: String

    public init(id: String, matchers: [String: String], starts: TimestampMs, ends: TimestampMs, createdBy: String, comment: String) {
        self.id = id
        self.matchers = matchers
        self.starts = starts
        self.ends = ends
        self.createdBy = createdBy
        self.comment = comment
    }

    public func mutes(_ labels: [String: String], at now: TimestampMs) -> Bool {
        now >= starts && now < ends && matchers.allSatisfy { labels[$0.key] == $0.value }
    }
}
