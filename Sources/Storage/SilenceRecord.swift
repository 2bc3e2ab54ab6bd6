import WatchModel

/// A silence or maintenance window as the database keeps it, so it outlives a collector restart:
/// "commune X, planned power cut 08:00–12:00".
public struct SilenceRecord: Sendable, Hashable {
    public var id: String
    /// Label equalities, all of which must hold (`site`, `alertname`, `severity`, …).
    public var matchers: [String: String]
    public var starts: TimestampMs
    /// Expiring a silence early is saving it again with `ends` set to now.
    public var ends: TimestampMs
    public var createdBy: String
    public var comment: String
    public var createdAt: TimestampMs

    public init(id: String, matchers: [String: String], starts: TimestampMs, ends: TimestampMs, createdBy: String, comment: String,
                createdAt: TimestampMs) {
        self.id = id
        self.matchers = matchers
        self.starts = starts
        self.ends = ends
        self.createdBy = createdBy
        self.comment = comment
        self.createdAt = createdAt
    }
}

/// A stored silence whose matchers cannot be read back.
public struct StoredSilenceError: Error, Hashable, Sendable, CustomStringConvertible {
    public let silence: String
    public let message: String
    public var description: String { "stored silence \(silence): \(message)" }
}

extension SilenceRecord {
    /// The matchers as the databases store them: a JSON object with sorted keys (any text round-trips).
    public var matchersText: String { LabelText.encode(matchers) }

    /// Reads stored matchers back. Unlike labels, unreadable text is an error, never "no matchers":
    /// a silence without matchers would mute every alert.
    public static func matchers(stored text: String, silence id: String) throws(StoredSilenceError) -> [String: String] {
        let parsed: JSONValue
        do {
            parsed = try JSONValue.parse(text)
        } catch {
            throw StoredSilenceError(silence: id, message: "matchers are not JSON (\(error))")
        }
        guard case let .object(members) = parsed else {
            throw StoredSilenceError(silence: id, message: "matchers are not a JSON object: \(text.prefix(80))")
        }
        var out: [String: String] = [:]
        for (name, value) in members {
            guard let value = value.string else {
                throw StoredSilenceError(silence: id, message: "matcher \"\(name)\" is not a string")
            }
            out[name] = value
        }
        return out
    }
}
