/// A line's upload capacity as the agent's own uncapped uploads measured it, and the catch-up cap
/// drawn from it: a backlog after a long outage must not choke a thin commune line.
/// An I/O-free value: the uploader feeds it what curl measured.
public struct LineCapacity: Sendable, Hashable {
    /// Share of the measured capacity a catch-up may use.
    public var share = 0.2
    /// Uploads smaller than this say more about round trips than about capacity.
    public var minimumSample = 16 << 10
    /// Every this many capped catch-up batches, one goes uncapped to measure the line again.
    public var remeasureEvery = 20
    /// Bytes per second of the last few uncapped uploads, newest last.
    public private(set) var measurements: [Double] = []
    private var cappedSinceMeasurement = 0

    public init() {}

    /// The estimate: the best of the recent measurements (a busy moment only lowers one of them).
    public var estimate: Double? { measurements.max() }

    /// An uncapped upload of `bytes` took `seconds` to send.
    public mutating func record(bytes: Int, seconds: Double) {
        guard bytes >= minimumSample, seconds > 0 else { return }
        measurements.append(Double(bytes) / seconds)
        if measurements.count > 8 { measurements.removeFirst() }
        cappedSinceMeasurement = 0
    }

    /// The cap for the next catch-up batch in bytes per second; nil sends it uncapped, to measure
    /// (no estimate yet, or time to look again).
    public mutating func capForCatchUp() -> Int? {
        guard let estimate, cappedSinceMeasurement < remeasureEvery else { return nil }
        cappedSinceMeasurement += 1
        return max(Int(estimate * share), 1000)
    }
}
