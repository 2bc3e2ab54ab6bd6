import WatchModel

/// Where one rule stands for one series or site (the incident's key), as the team sees it.
public enum IncidentPhase: String, Sendable, Hashable, Codable {
    /// Breaching, but not yet for the rule's `for`.
    case pending
    case firing
    /// Firing, and someone said they are on it: no repeats, no escalation.
    case acknowledged
    /// Going on and off too often to page each time; one message when it starts, one when it settles.
    case flapping
    case resolved
}

/// What the last evaluation saw, against the rule's two thresholds (hysteresis).
public enum Observation: Sendable, Hashable {
    /// On the alerting side of the threshold.
    case breaching
    /// Back past the resolve threshold.
    case clear
    /// Between the two thresholds, or nothing to judge: whatever holds goes on holding.
    case holding
}

/// A change the team is told about.
public enum IncidentChange: Sendable, Hashable {
    case fired
    case resolved
    case acknowledged(by: String)
    case startedFlapping
    /// The flapping stopped; `firing` says which way it settled.
    case settled(firing: Bool)
}

/// The incident state machine of one rule and key: no I/O, time passed in. Hysteresis comes from
/// the two thresholds (the caller's `Observation`); flapping from counting changes in a window;
/// a resolution is told only after `resolveHold` without a new breach, so a line that comes back
/// for 20 seconds does not page twice.
public struct IncidentMachine: Sendable, Hashable {
    /// The timings of one rule.
    public struct Policy: Sendable, Hashable {
        /// Breaching this long before firing (the rule's `for`).
        public var holdFor: Int64 = 0
        /// Clear this long before a resolution is told.
        public var resolveHold: Int64 = 60_000
        /// This many fire/clear changes within `flapWindow` make it flapping.
        public var flapChanges = 4
        public var flapWindow: Int64 = 600_000
        /// Flapping ends after this long without a change.
        public var settleAfter: Int64 = 600_000

        public init(holdFor: Int64 = 0, resolveHold: Int64 = 60_000, flapChanges: Int = 4, flapWindow: Int64 = 600_000,
                    settleAfter: Int64 = 600_000) {
            self.holdFor = holdFor
            self.resolveHold = resolveHold
            self.flapChanges = flapChanges
            self.flapWindow = flapWindow
            self.settleAfter = settleAfter
        }
    }

    public let policy: Policy
    /// nil: nothing is wrong and nothing was (or the last incident is over and told).
    public private(set) var phase: IncidentPhase?
    /// Whether the condition holds now (firing, acknowledged, or flapping while down).
    public private(set) var active = false
    public private(set) var since: TimestampMs?
    public private(set) var acknowledgedBy: String?
    var pendingSince: TimestampMs?
    var clearSince: TimestampMs?
    /// Times the condition went active or inactive, newest last, within the flap window.
    var changes: [TimestampMs] = []
    var lastChange: TimestampMs?

    public init(policy: Policy = Policy()) { self.policy = policy }

    /// Feeds one evaluation; returns what the team must be told.
    public mutating func observe(_ observation: Observation, at now: TimestampMs) -> [IncidentChange] {
        var told = tick(at: now)
        switch observation {
        case .breaching:
            clearSince = nil
            guard !active else { break }
            if phase == .firing || phase == .acknowledged {
                // Back within the resolve hold: the incident never ended, nothing to tell.
                active = true
                record(now)
                if acknowledgedBy == nil, startsFlapping { phase = .flapping; told.append(.startedFlapping) }
                break
            }
            let start = pendingSince ?? now
            pendingSince = start
            if now - start >= policy.holdFor {
                active = true
                pendingSince = nil
                record(now)
                if phase == .flapping { break }
                if startsFlapping {
                    phase = .flapping
                    told.append(.startedFlapping)
                } else {
                    phase = .firing
                    since = start
                    acknowledgedBy = nil
                    told.append(.fired)
                }
            } else if phase != .flapping {
                phase = .pending
            }
        case .clear:
            pendingSince = nil
            if phase == .pending { phase = nil }
            guard active else { break }
            active = false
            clearSince = now
            record(now)
            if phase != .flapping, acknowledgedBy == nil, startsFlapping {
                phase = .flapping
                told.append(.startedFlapping)
            }
            told += tick(at: now)
        case .holding:
            break
        }
        return told
    }

    /// The passing of time alone: a held resolution becomes due, flapping settles.
    public mutating func tick(at now: TimestampMs) -> [IncidentChange] {
        changes.removeAll { $0 <= now - policy.flapWindow }
        if phase == .flapping, let last = lastChange, now - last >= policy.settleAfter {
            phase = active ? .firing : .resolved
            if !active { clearSince = nil }
            return [.settled(firing: active)]
        }
        if !active, phase == .firing || phase == .acknowledged, let clear = clearSince, now - clear >= policy.resolveHold {
            phase = .resolved
            clearSince = nil
            return [.resolved]
        }
        return []
    }

    /// Someone is on it: told once; the incident stays open until it clears.
    public mutating func acknowledge(by person: String) -> [IncidentChange] {
        guard phase == .firing || phase == .flapping else { return [] }
        phase = .acknowledged
        acknowledgedBy = person
        return [.acknowledged(by: person)]
    }

    mutating func record(_ now: TimestampMs) {
        lastChange = now
        changes.append(now)
        changes.removeAll { $0 <= now - policy.flapWindow }
    }

    var startsFlapping: Bool { changes.count >= policy.flapChanges }
}
