/// When to try the next upload: exponential backoff with full jitter after failures, reset by a success.
/// An I/O-free state machine: time and randomness come from the caller.
public struct UploadBackoff: Sendable, Hashable {
    public var base: Duration = .seconds(2)
    public var ceiling: Duration = .seconds(300)
    /// Failures in a row since the last success.
    public private(set) var failures = 0

    public init(base: Duration = .seconds(2), ceiling: Duration = .seconds(300)) {
        self.base = base
        self.ceiling = ceiling
    }

    /// The upload succeeded: the next one may go at once.
    public mutating func succeeded() { failures = 0 }

    /// The upload failed; returns how long to wait before the next try.
    /// `retryAfter` (a collector's 503 Retry-After) is honoured when it is longer.
    /// `random` in 0..<1 spreads 96 agents that lost the line together over the whole window.
    public mutating func failed(retryAfter: Duration? = nil, random: Double) -> Duration {
        failures += 1
        let exponent = min(failures - 1, 20)
        let window = min(base * (1 << exponent), ceiling)
        let jittered = window * max(0, min(random, 1))
        // Never less than a tenth of the base: a tight loop would only burn the thin line.
        let wait = max(jittered, base / 10)
        if let retryAfter, retryAfter > wait { return min(retryAfter, ceiling) }
        return wait
    }
}
