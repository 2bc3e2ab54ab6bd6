/// When each probe runs: every `interval`, shifted by a per-probe offset so 96 agents (and the
/// probes of one agent) do not fire together, and never while its previous run is still going.
/// An I/O-free plan: times are monotonic seconds given by the caller.
public struct ProbeSchedule: Sendable, Hashable {
    public let interval: Double
    /// Fixed for the life of the probe, in 0..<interval.
    public let offset: Double
    /// The probe's grid: its runs are due at anchor + k × interval.
    public let anchor: Double
    public private(set) var running = false
    public private(set) var nextDue: Double

    /// `random` in 0..<1 picks the offset; `start` is when the agent started.
    public init(interval: Duration, random: Double, start: Double) {
        self.interval = max(interval.seconds, 1)
        offset = max(0, min(random, 0.999)) * self.interval
        anchor = start + offset
        nextDue = anchor
    }

    /// True when the probe should start now (due and not already running).
    public func isDue(at now: Double) -> Bool { !running && now >= nextDue }

    /// The probe started at `now`: the next slot is the first one after now on the probe's grid,
    /// so a run that was late (the PC slept, the line was slow) does not cause a burst of catch-up runs.
    public mutating func started(at now: Double) {
        running = true
        let slots = max(((now - anchor) / interval).rounded(.down), -1) + 1
        nextDue = anchor + slots * interval
    }

    /// The run ended (its result is in the spool).
    public mutating func finished() { running = false }
}
