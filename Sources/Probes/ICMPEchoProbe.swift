import Threads
import WatchModel

/// A SmokePing-style ICMP echo round: `count` echoes `spacing` apart, each waited for up to the timeout.
public struct ICMPEchoProbe: Probe {
    public var host: String
    public var count: Int = 20
    public var spacing: Duration = .milliseconds(250)
    public var payloadSize: Int = 56
    public var ipPreference: IPPreference = .any
    public var socketMode: ICMPSocketMode = .auto
    /// The round fails when more than this share is lost (a round losing everything always fails).
    public var maxLoss: Double = 0.2
    /// The round fails when the median RTT exceeds this.
    public var maxMedianRTT: Duration?

    public init(host: String) { self.host = host }

    /// How long a whole round can take with this per-echo timeout.
    public func roundDuration(timeout: Duration) -> Duration {
        spacing * max(count - 1, 0) + timeout
    }

    public func run(in context: ProbeContext) async throws(ProbeFailure) -> ICMPEchoResult {
        let probe = self
        return try await DedicatedThread.measure { () throws(ProbeFailure) in
            let target = try AddressResolver.resolve(probe.host, prefer: probe.ipPreference)[0]
            let transport = try openEchoTransport(target: target, binding: context.binding, mode: probe.socketMode,
                                                  payloadSize: probe.payloadSize)
            return probe.round(over: transport, target: target, timeout: context.timeout)
        }
    }

    /// Sends the echoes on schedule and collects replies; blocking, on a dedicated thread.
    func round(over transport: EchoTransport, target: SocketAddress, timeout: Duration) -> ICMPEchoResult {
        let count = max(count, 1)
        let start = MonotonicClock.nanoseconds()
        let spacingNs = spacing.nanoseconds, timeoutNs = max(timeout.nanoseconds, 1_000_000)
        let firstSequence = UInt16.random(in: 0...UInt16.max)
        var sentAt = [Int64?](repeating: nil, count: count)
        var sentMono = [UInt64](repeating: 0, count: count)
        var rtts = [Double?](repeating: nil, count: count)
        var sendErrors: [Int32] = []
        var icmpErrors: [String] = []
        var next = 0
        while true {
            let now = MonotonicClock.nanoseconds()
            if next < count, now >= start + UInt64(next) * spacingNs {
                do {
                    sentAt[next] = try transport.send(sequence: firstSequence &+ UInt16(truncatingIfNeeded: next))
                } catch {
                    sendErrors.append(error.errno)
                }
                sentMono[next] = MonotonicClock.nanoseconds()
                next += 1
                continue
            }
            let answered = rtts.count { $0 != nil }
            let lastDeadline = sentMono[next - 1] + timeoutNs
            if next == count && (now >= lastDeadline || answered + sendErrors.count == count) { break }
            let wakeUp = next < count ? min(start + UInt64(next) * spacingNs, lastDeadline) : lastDeadline
            for event in transport.receive(until: wakeUp) {
                switch event {
                case let .reply(sequence, receivedAt):
                    let index = Int(sequence &- firstSequence)
                    guard index < next, let sent = sentAt[index], rtts[index] == nil else { continue }
                    var rtt = Double(receivedAt - sent) / 1e9
                    if rtt < 0 || rtt > Double(timeoutNs) / 1e9 * 4 {
                        // Wall clock stepped during the round: fall back to the monotonic clock.
                        rtt = Double(MonotonicClock.nanoseconds() - sentMono[index]) / 1e9
                    }
                    // A reply later than the timeout counts as lost, as in fping and SmokePing.
                    if rtt <= Double(timeoutNs) / 1e9 { rtts[index] = rtt }
                case let .error(_, from, description):
                    icmpErrors.append("\(description) from \(from)")
                }
            }
        }
        return ICMPEchoResult(probe: self, target: target, rtts: rtts, sendErrors: sendErrors, icmpErrors: icmpErrors)
    }
}

/// The outcome of one echo round: per-echo RTTs plus the round's statistics.
public struct ICMPEchoResult: ProbeResult {
    public let target: SocketAddress
    /// Per-echo round-trip times in seconds, nil where the echo was lost.
    public let rtts: [Double?]
    public let statistics: RoundStatistics
    /// ICMP errors received, e.g. "host unreachable from 198.18.1.1".
    public let icmpErrors: [String]
    public let failure: ProbeFailure?

    init(probe: ICMPEchoProbe, target: SocketAddress, rtts: [Double?], sendErrors: [Int32], icmpErrors: [String]) {
        self.target = target
        self.rtts = rtts
        self.icmpErrors = icmpErrors
        let stats = RoundStatistics(rtts: rtts)
        statistics = stats
        if stats.received == 0 {
            if let errno = sendErrors.first {
                failure = SocketError(call: "sendto", errno: errno).failure(target: target.host)
            } else if let first = icmpErrors.first {
                failure = ProbeFailure(.unreachable, "\(target.host) is unreachable: \(first)")
            } else {
                failure = ProbeFailure(.noReply, "no echo reply from \(target.host) (\(stats.sent) sent)")
            }
        } else if stats.loss > probe.maxLoss {
            failure = ProbeFailure(.tooLossy, "\(Int((stats.loss * 100).rounded()))% of echoes to \(target.host) lost (limit \(Int((probe.maxLoss * 100).rounded()))%)")
        } else if let limit = probe.maxMedianRTT, let median = stats.median, median > limit.seconds {
            failure = ProbeFailure(.tooSlow, "median RTT to \(target.host) is \(Int((median * 1000).rounded())) ms (limit \(Int((limit.seconds * 1000).rounded())) ms)")
        } else {
            failure = nil
        }
    }

    public var measurements: [Measurement] {
        let s = statistics
        var out = [
            Measurement(MetricCatalog.icmpSent.name, Double(s.sent)),
            Measurement(MetricCatalog.icmpReceived.name, Double(s.received)),
            Measurement(MetricCatalog.icmpLoss.name, s.loss),
            Measurement(MetricCatalog.icmpLossBurst.name, Double(s.longestLossBurst)),
            Measurement(MetricCatalog.ipProtocol.name, Double(target.ipVersion)),
        ]
        let optional: [(MetricInfo, Double?)] = [
            (MetricCatalog.icmpRttMin, s.min), (MetricCatalog.icmpRttMedian, s.median),
            (MetricCatalog.icmpRttMean, s.mean), (MetricCatalog.icmpRttMax, s.max),
            (MetricCatalog.icmpRttStddev, s.stddev), (MetricCatalog.icmpJitter, s.jitter),
        ]
        for (info, value) in optional { if let value { out.append(Measurement(info.name, value)) } }
        return out
    }

    public var facts: [String: String] {
        var facts = ["address": target.host]
        if let first = icmpErrors.first { facts["icmp_error"] = first }
        return facts
    }
}
