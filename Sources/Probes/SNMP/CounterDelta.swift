/// Turns two readings of an interface counter into a rate, refusing the spikes a naive
/// subtraction gives after a wrap, a reboot or a counter reset.
public enum CounterDelta {
    /// The per-second rate between two readings, or nil when the interval cannot be trusted.
    /// - Parameters:
    ///   - bits: 32 or 64, the counter's width (a 32-bit counter may wrap; a 64-bit one going back means a reset).
    ///   - ceiling: the highest plausible rate (e.g. the interface speed in octets/s); a larger one is a discontinuity.
    ///   - restarted: the device rebooted between the readings: its counters started again from zero.
    public static func rate(previous: UInt64, current: UInt64, bits: Int, seconds: Double,
                            ceiling: Double? = nil, restarted: Bool = false) -> Double? {
        guard seconds > 0, !restarted else { return nil }
        let delta: UInt64
        if current >= previous {
            delta = current - previous
        } else if bits == 32, previous <= UInt64(UInt32.max) {
            delta = (UInt64(UInt32.max) - previous) + current + 1
        } else {
            return nil
        }
        let rate = Double(delta) / seconds
        if let ceiling, ceiling > 0, rate > ceiling * 1.1 { return nil }
        return rate
    }
}

/// Reads two sysUpTime values to tell a reboot from the 497-day wrap of a 32-bit TimeTicks.
public enum UptimeCheck {
    static let wrap = Double(UInt64(UInt32.max) + 1)

    /// True when the device restarted between two readings taken `seconds` apart.
    public static func rebooted(previousTicks: UInt32, currentTicks: UInt32, seconds: Double) -> Bool {
        let expected = Double(previousTicks) + seconds * 100
        // Polls are not exact to the tick: allow 1 s, or 2% of a long interval.
        let tolerance = max(100, seconds * 2)
        let current = Double(currentTicks)
        if expected >= wrap - tolerance, abs(current - (expected - wrap)) <= tolerance { return false }
        // After a restart the uptime counts only from the restart: less than what had elapsed.
        return current + tolerance < expected
    }
}
