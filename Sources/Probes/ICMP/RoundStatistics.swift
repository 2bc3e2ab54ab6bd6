/// SmokePing-style figures of one echo round, computed from per-echo RTTs (nil = lost).
public struct RoundStatistics: Sendable, Hashable {
    public let sent: Int
    public let received: Int
    /// Lost share, 0–1; 1 when nothing came back (never missing).
    public let loss: Double
    public let min: Double?
    public let median: Double?
    public let mean: Double?
    public let max: Double?
    /// Population standard deviation, like ping's `mdev`.
    public let stddev: Double?
    /// RFC 3550-style jitter: mean absolute difference of consecutive RTTs (needs two replies).
    public let jitter: Double?
    /// Longest run of consecutive lost echoes.
    public let longestLossBurst: Int

    public init(rtts: [Double?]) {
        sent = rtts.count
        let values = rtts.compactMap { $0 }
        received = values.count
        loss = sent == 0 ? 1 : Double(sent - received) / Double(sent)
        var burst = 0, longest = 0
        for rtt in rtts {
            burst = rtt == nil ? burst + 1 : 0
            longest = Swift.max(longest, burst)
        }
        longestLossBurst = longest
        guard !values.isEmpty else {
            min = nil; median = nil; mean = nil; max = nil; stddev = nil; jitter = nil
            return
        }
        let sorted = values.sorted()
        min = sorted.first
        max = sorted.last
        let middle = sorted.count / 2
        median = sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
        let average = values.reduce(0, +) / Double(values.count)
        mean = average
        stddev = (values.reduce(0) { $0 + ($1 - average) * ($1 - average) } / Double(values.count)).squareRoot()
        if values.count >= 2 {
            var total = 0.0
            for i in 1..<values.count { total += abs(values[i] - values[i - 1]) }
            jitter = total / Double(values.count - 1)
        } else {
            jitter = nil
        }
    }
}
