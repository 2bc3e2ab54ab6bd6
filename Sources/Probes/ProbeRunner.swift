import Curl
import WatchModel

/// Runs probes and adds what every probe has: success, duration, and a deadline it cannot overrun.
public struct ProbeRunner: Sendable {
    public let http: HTTPEngine

    public init(http: HTTPEngine = HTTPEngine()) { self.http = http }

    /// Runs one probe once; never throws: a failure is part of the outcome.
    public func run(_ spec: ProbeSpec) async -> ProbeOutcome {
        let startedAt = WallClock.nowMs()
        let start = ContinuousClock.now
        let context = ProbeContext(http: http, binding: spec.binding, timeout: spec.timeout)
        let attempt: Result<any ProbeResult, ProbeFailure> = await withTaskGroup(of: Result<any ProbeResult, ProbeFailure>?.self) { group in
            group.addTask { await Self.measure(spec.target, in: context) }
            group.addTask {
                try? await Task.sleep(for: spec.deadline)
                return Task.isCancelled ? nil
                    : .failure(ProbeFailure(.timeout, "\(spec.target.label) gave no result within \(TCPConnectProbe.format(spec.deadline))"))
            }
            var first: Result<any ProbeResult, ProbeFailure>?
            while first == nil, let next = await group.next() { first = next }
            group.cancelAll()
            return first ?? .failure(ProbeFailure(.internalError, "probe ended without a result"))
        }
        let elapsed = (ContinuousClock.now - start).seconds
        switch attempt {
        case let .success(result):
            return ProbeOutcome(spec: spec, startedAt: startedAt, duration: elapsed, result: result, failure: result.failure)
        case let .failure(failure):
            return ProbeOutcome(spec: spec, startedAt: startedAt, duration: elapsed, result: nil, failure: failure)
        }
    }

    /// Runs every probe once, concurrently; outcomes come back in the order of `specs`.
    public func runAll(_ specs: [ProbeSpec]) async -> [ProbeOutcome] {
        await withTaskGroup(of: (Int, ProbeOutcome).self) { group in
            for (index, spec) in specs.enumerated() {
                group.addTask { (index, await run(spec)) }
            }
            var outcomes = [ProbeOutcome?](repeating: nil, count: specs.count)
            for await (index, outcome) in group { outcomes[index] = outcome }
            return outcomes.compactMap { $0 }
        }
    }

    private static func measure(_ target: ProbeTarget, in context: ProbeContext) async -> Result<any ProbeResult, ProbeFailure> {
        do throws(ProbeFailure) {
            switch target {
            case let .icmp(probe): return .success(try await probe.run(in: context))
            case let .tcp(probe): return .success(try await probe.run(in: context))
            case let .dns(probe): return .success(try await probe.run(in: context))
            case let .http(probe): return .success(try await probe.run(in: context))
            case let .snmp(probe): return .success(try await probe.run(in: context))
            case let .modem(probe): return .success(try await probe.run(in: context))
            case let .host(probe): return .success(try await probe.run(in: context))
            }
        } catch {
            return .failure(error)
        }
    }
}

/// One run of one probe: its typed result (if it measured anything), failure, and samples.
public struct ProbeOutcome: Sendable {
    public let spec: ProbeSpec
    public let startedAt: TimestampMs
    /// Wall time of the whole probe, in seconds.
    public let duration: Double
    /// The typed result; nil when nothing could be measured.
    public let result: (any ProbeResult)?
    public let failure: ProbeFailure?

    public var ok: Bool { failure == nil }

    /// The probe's measurements plus `probe_success` and `probe_duration_seconds`.
    public var measurements: [Measurement] {
        (result?.measurements ?? []) + [
            Measurement(MetricCatalog.probeSuccess.name, ok ? 1 : 0),
            Measurement(MetricCatalog.probeDuration.name, duration),
        ]
    }

    public var facts: [String: String] {
        (result?.facts ?? [:]).merging(failure?.facts ?? [:]) { own, _ in own }
    }

    /// Samples stamped with the start time and labelled with the probe's identity.
    /// Times are kept to the microsecond: finer digits are clock noise, and exact decimals
    /// compress to a byte or two on the wire where noise costs eight.
    public var samples: [Sample] {
        measurements.map { m in
            let value = m.metric.hasSuffix("_seconds") && m.value.isFinite && abs(m.value) < 1e9
                ? (m.value * 1e6).rounded() / 1e6 : m.value
            return Sample(m.key(adding: spec.labels), value, at: startedAt)
        }
    }
}
