import Alerting
import Storage
import WatchModel

/// Silences and maintenance windows ("commune X, planned power cut 08:00–12:00"): written to the
/// database before the evaluator follows them, so they outlive a restart and reach every
/// collector that shares the database.
extension AlertService {
    /// Adds a silence (or replaces one with the same id).
    func addSilence(_ silence: Silence) async throws {
        var record = silence
        record.createdAt = WallClock.nowMs()
        try await incidents.save(silence: record)
        await evaluator.silence(silence)
    }

    /// Ends a silence now; false when no silence with that id is on or to come.
    func expireSilence(id: String) async throws -> Bool {
        let now = WallClock.nowMs()
        guard var record = try await incidents.silences(endingAfter: now).first(where: { $0.id == id }) else { return false }
        record.ends = now
        try await incidents.save(silence: record)
        _ = await evaluator.expire(silence: id, now: now)
        return true
    }

    /// The silences on now or to come, earliest start first.
    func currentSilences() async throws -> [Silence] {
        try await incidents.silences(endingAfter: WallClock.nowMs())
    }

    /// Hands the stored silences to the evaluator: at start, and every 30 s with the site registry.
    func loadSilences() async throws {
        await evaluator.setSilences(try await currentSilences())
    }
}
