import Storage
import WatchModel

/// "Commune X, planned power cut 08:00–12:00": notifications whose labels match are not sent
/// between `starts` and `ends`; the incidents are still kept. The same value the database keeps.
public typealias Silence = SilenceRecord

extension SilenceRecord {
    /// A silence made now (its `createdAt` is its start until the store says otherwise).
    public init(id: String, matchers: [String: String], starts: TimestampMs, ends: TimestampMs, createdBy: String, comment: String) {
        self.init(id: id, matchers: matchers, starts: starts, ends: ends, createdBy: createdBy, comment: comment, createdAt: starts)
    }

    public func mutes(_ labels: [String: String], at now: TimestampMs) -> Bool {
        now >= starts && now < ends && matchers.allSatisfy { labels[$0.key] == $0.value }
    }
}
