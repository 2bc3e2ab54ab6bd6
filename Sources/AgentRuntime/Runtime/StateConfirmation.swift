import Probes

/// Confirms a probe's change of state before it counts: one lost echo must not raise an alarm,
/// and a real line cut must reach the collector within seconds. An I/O-free state machine.
public struct StateConfirmation: Sendable, Hashable {
    /// What the scheduler should do after a result.
    public enum Action: Sendable, Hashable {
        /// Nothing to confirm: store the result as usual.
        case none
        /// Run the probe again after this delay to confirm a change.
        case reprobe(after: Duration)
        /// The change is confirmed: send it at once, ahead of the batches.
        case confirmed(Verdict)
        /// The change did not hold: it was a glitch.
        case dismissed
    }

    public var retries = 2
    public var spacing: Duration = .seconds(2)
    /// The state last confirmed (ok at start: an agent that starts on a dead line confirms it quickly).
    public private(set) var confirmed: Verdict = .ok
    private var candidate: Verdict?
    private var checks = 0

    public init(retries: Int = 2, spacing: Duration = .seconds(2)) {
        self.retries = retries
        self.spacing = spacing
    }

    /// Feeds one result (a scheduled run or a confirmation run) and says what to do next.
    public mutating func observe(_ verdict: Verdict) -> Action {
        if let pending = candidate {
            guard verdict == pending else {
                candidate = nil
                checks = 0
                return verdict == confirmed ? .dismissed : start(verdict)
            }
            checks += 1
            if checks >= retries {
                candidate = nil
                checks = 0
                confirmed = verdict
                return .confirmed(verdict)
            }
            return .reprobe(after: spacing)
        }
        return verdict == confirmed ? .none : start(verdict)
    }

    private mutating func start(_ verdict: Verdict) -> Action {
        guard retries > 0 else {
            confirmed = verdict
            return .confirmed(verdict)
        }
        candidate = verdict
        checks = 0
        return .reprobe(after: spacing)
    }
}
