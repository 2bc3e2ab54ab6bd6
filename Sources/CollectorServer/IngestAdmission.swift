import Foundation
import Synchronization

/// Who may ingest right now: a token bucket per agent (one agent in a loop must not starve the
/// province) and a cap on ingests in progress (when storage falls behind, agents are told to come
/// back later and keep their data in their spools).
final class IngestAdmission: Sendable {
    /// Limits; see `commune-collector serve --help`.
    struct Limits: Sendable {
        var agentRequestsPerSecond = 10.0
        var agentBurst = 20.0
        var maxInFlight = 32
    }

    enum Verdict: Equatable {
        case admitted
        /// 429: this agent sends too fast; retry after so many seconds.
        case tooFast(retryAfter: Int)
        /// 503: storage is behind; retry after so many seconds.
        case busy(retryAfter: Int)
    }

    private struct State {
        var buckets: [String: (tokens: Double, at: Double)] = [:]
        var inFlight = 0
    }

    let limits: Limits
    private let state = Mutex(State())

    init(_ limits: Limits) { self.limits = limits }

    /// Takes a token of `agent` and a place among the ingests in progress; `finish()` gives the place back.
    func admit(_ agent: String, now: Double = Date().timeIntervalSinceReferenceDate) -> Verdict {
        state.withLock { s in
            var bucket = s.buckets[agent] ?? (limits.agentBurst, now)
            bucket.tokens = min(limits.agentBurst, bucket.tokens + (now - bucket.at) * limits.agentRequestsPerSecond)
            bucket.at = now
            guard bucket.tokens >= 1 else {
                s.buckets[agent] = bucket
                return .tooFast(retryAfter: max(1, Int(((1 - bucket.tokens) / limits.agentRequestsPerSecond).rounded(.up))))
            }
            guard s.inFlight < limits.maxInFlight else { return .busy(retryAfter: 2) }
            bucket.tokens -= 1
            s.buckets[agent] = bucket
            s.inFlight += 1
            return .admitted
        }
    }

    func finish() { state.withLock { $0.inFlight -= 1 } }
}
