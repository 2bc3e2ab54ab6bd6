import WatchModel

/// What the collector refuses in an otherwise well-formed batch, in words the agent's log can show.
enum BatchValidation {
    /// Earliest timestamp accepted: 2000-01-01.
    static let earliest: TimestampMs = 946_684_800_000
    /// How far ahead of the collector's clock a point may be (after clock correction).
    static let aheadAllowed: TimestampMs = 86_400_000

    /// Milliseconds to add to the batch's timestamps: an agent clock that is not NTP-synchronised
    /// and is off by more than a few seconds is corrected by what it read when it built the batch.
    static func clockCorrection(of batch: WireBatch, now: TimestampMs) -> TimestampMs {
        let skew = now - batch.agentTime
        return batch.clockSynced != true && abs(skew) > 5_000 ? skew : 0
    }

    /// The first thing the collector refuses in the batch, judging times after `correction`.
    static func problem(in batch: WireBatch, now: TimestampMs, correction: TimestampMs) -> String? {
        for d in batch.definitions {
            if !validName(d.key.metric, colon: true) { return "series \(d.id): '\(d.key.metric)' is not a valid metric name" }
            for label in d.key.labels {
                if !validName(label.name, colon: false) { return "series \(d.id): '\(label.name)' is not a valid label name" }
                if label.value.utf8.count > 1024 { return "series \(d.id): the value of label '\(label.name)' is longer than 1024 bytes" }
            }
        }
        func outOfRange(_ t: TimestampMs) -> Bool { t + correction < earliest || t + correction > now + aheadAllowed }
        for s in batch.series {
            for p in s.points {
                if !p.value.isFinite { return "series \(s.id): value \(p.value) at \(p.timestamp) is not a finite number" }
                if outOfRange(p.timestamp) { return "series \(s.id): timestamp \(p.timestamp) is out of range" }
            }
        }
        for e in batch.events where outOfRange(e.timestamp) {
            return "event '\(e.kind)': timestamp \(e.timestamp) is out of range"
        }
        return nil
    }

    /// Prometheus names: [a-zA-Z_][a-zA-Z0-9_]* (and ':' in metric names).
    static func validName(_ name: String, colon: Bool) -> Bool {
        guard let first = name.utf8.first, name.utf8.count <= 200 else { return false }
        func letter(_ c: UInt8) -> Bool { (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95 || (colon && c == 58) }
        return letter(first) && name.utf8.allSatisfy { letter($0) || ($0 >= 48 && $0 <= 57) }
    }
}
