import WatchModel

/// Measures one thing once and returns a typed result; the runner adds success, duration and the deadline.
public protocol Probe: Sendable {
    associatedtype Result: ProbeResult
    /// Runs the measurement; throws `ProbeFailure` when nothing could be measured.
    func run(in context: ProbeContext) async throws(ProbeFailure) -> Result
}

/// What a probe measured: numbers, text facts, and whether its expectations held.
public protocol ProbeResult: Sendable {
    /// Numbers, named as in `MetricCatalog`.
    var measurements: [Measurement] { get }
    /// What is not a number: certificate issuer, resolved addresses, HTTP version.
    var facts: [String: String] { get }
    /// Set when the probe measured but an expectation failed (wrong status, too much loss).
    var failure: ProbeFailure? { get }
}

/// Resources that probes share within one agent process (one libcurl multi handle, for instance).
public struct ProbeContext: Sendable {
    /// The HTTP engine: one libcurl multi handle, so TLS CA stores and connections are shared.
    public let http: HTTPEngine
    /// The binding the probe's packets must use.
    public let binding: Binding
    /// How long the probe may wait for its target.
    public let timeout: Duration

    public init(http: HTTPEngine, binding: Binding = .none, timeout: Duration = .seconds(5)) {
        self.http = http
        self.binding = binding
        self.timeout = timeout
    }
}
