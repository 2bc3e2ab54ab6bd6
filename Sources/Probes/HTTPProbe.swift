import Curl
import WatchModel

/// Fetches a URL through libcurl and reports each phase's time, the status, the body match and the certificate.
public struct HTTPProbe: Probe {
    public var url: String
    /// Accepted final status codes; nil accepts 200–399.
    public var expectedStatus: Set<Int>?
    /// Text the body must contain.
    public var expectedBody: String?
    public var caFile: String?
    public var insecure = false
    public var proxy: String?
    public var followRedirects = true
    public var maxRedirects = 10
    public var ipPreference: IPPreference = .any
    /// The probe fails when the whole transfer takes longer (it is slow but answered).
    public var maxDuration: Duration?
    public var headers: [String] = []

    public init(url: String) { self.url = url }

    func request(binding: Binding, timeout: Duration) -> CurlRequest {
        var request = CurlRequest(url: url)
        request.timeout = timeout
        request.interface = binding.interface
        request.sourceAddress = binding.sourceAddress
        request.proxy = proxy
        request.caFile = caFile
        request.insecure = insecure
        request.followRedirects = followRedirects
        request.maxRedirects = maxRedirects
        request.headers = headers
        request.ipVersion = ipPreference == .ipv4 ? 4 : ipPreference == .ipv6 ? 6 : nil
        return request
    }

    public func run(in context: ProbeContext) async throws(ProbeFailure) -> HTTPResult {
        let request = request(binding: context.binding, timeout: context.timeout)
        do {
            let response = try await context.http.perform(request)
            return HTTPResult(probe: self, response: response)
        } catch {
            var failure = classify(error)
            if failure.kind == .tlsVerificationFailed || failure.kind == .certificateExpired {
                // Verification hides the chain; look again without it so the report can say
                // who issued the certificate and when it expired.
                var look = request
                look.insecure = true
                look.headOnly = true
                look.followRedirects = false
                look.timeout = min(context.timeout, .seconds(5))
                if let seen = try? await context.http.perform(look), let leaf = seen.certificates.first {
                    var detail = failure.detail
                    if failure.kind == .certificateExpired, let end = leaf.notAfter {
                        let days = Int((Double(Self.now() - end) / 86400).rounded(.down))
                        detail += " (expired \(days) day\(days == 1 ? "" : "s") ago)"
                    }
                    failure = ProbeFailure(failure.kind, detail, facts: HTTPResult.certificateFacts(leaf))
                }
            }
            throw failure
        }
    }

    /// Now in Unix seconds, for certificate arithmetic.
    public static func now() -> Int64 { Int64(WallClock.nowMs() / 1000) }

    /// Turns libcurl's code (and the errno / TLS verify result behind it) into a failure kind.
    func classify(_ error: CurlError) -> ProbeFailure {
        let host = hostName
        switch error.code {
        case CurlError.couldNotResolveHost: return ProbeFailure(.resolveFailed, "cannot resolve \(host): \(error.message)")
        case CurlError.couldNotResolveProxy: return ProbeFailure(.resolveFailed, "cannot resolve the proxy: \(error.message)")
        case CurlError.couldNotConnect:
            if error.osErrno == 111 { return ProbeFailure(.refused, "\(host) refused the connection") }
            if [113, 101, 112, 100].contains(error.osErrno) {
                return ProbeFailure(.unreachable, "\(host) is unreachable: \(error.message)")
            }
            return ProbeFailure(.unreachable, "cannot connect to \(host): \(error.message)")
        case CurlError.timedOut: return ProbeFailure(.timeout, "\(host) did not answer in time: \(error.message)")
        case CurlError.peerFailedVerification, CurlError.sslConnectError:
            if error.sslVerifyResult == CurlError.verifyCertificateExpired || error.message.includes("expired") {
                return ProbeFailure(.certificateExpired, "the TLS certificate of \(host) has expired")
            }
            if error.code == CurlError.peerFailedVerification {
                return ProbeFailure(.tlsVerificationFailed, "the TLS certificate of \(host) is not trusted: \(error.message)")
            }
            return ProbeFailure(.tlsHandshakeFailed, "TLS handshake with \(host) failed: \(error.message)")
        case CurlError.interfaceFailed: return ProbeFailure(.interfaceUnavailable, "cannot bind: \(error.message)")
        case CurlError.tooManyRedirects: return ProbeFailure(.tooManyRedirects, "\(url) redirected more than \(maxRedirects) times")
        case CurlError.badURL, CurlError.unsupportedProtocol: return ProbeFailure(.badTarget, "\(url): \(error.message)")
        case CurlError.sslCACertBadFile: return ProbeFailure(.badTarget, "cannot read the CA file \(caFile ?? ""): \(error.message)")
        default: return ProbeFailure(.httpError, "\(host): \(error.message) (curl error \(error.code))")
        }
    }

    /// The host part of the URL, for messages.
    var hostName: String {
        var rest = Substring(url)
        if let scheme = rest.firstOccurrence(of: "://") { rest = rest[scheme.upperBound...] }
        return String(rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" })
    }
}

/// What one HTTP(S) transfer measured.
public struct HTTPResult: ProbeResult {
    public let response: CurlResponse
    public let failure: ProbeFailure?
    public let bodyMatched: Bool?

    init(probe: HTTPProbe, response: CurlResponse) {
        self.response = response
        let status = response.status
        let body = probe.expectedBody.map { expected in
            String(decoding: response.body, as: UTF8.self).includes(expected)
        }
        bodyMatched = body
        let accepted = probe.expectedStatus.map { $0.contains(status) } ?? (200...399).contains(status)
        if !accepted {
            let expected = probe.expectedStatus.map { $0.sorted().map(String.init).joined(separator: " or ") } ?? "200-399"
            failure = ProbeFailure(.wrongStatus, "\(probe.hostName) answered HTTP \(status), expected \(expected)")
        } else if body == false {
            failure = ProbeFailure(.bodyMismatch, "the page from \(probe.hostName) does not contain \"\(probe.expectedBody ?? "")\"")
        } else if let limit = probe.maxDuration, response.times.total > limit.seconds {
            failure = ProbeFailure(.tooSlow, "\(probe.hostName) took \(TCPConnectProbe.format(.milliseconds(Int(response.times.total * 1000)))) (limit \(TCPConnectProbe.format(limit)))")
        } else {
            failure = nil
        }
    }

    /// Per-phase durations of the final request (not cumulative), as blackbox_exporter reports them.
    public var phases: [(String, Double)] {
        let t = response.times
        let connected = max(t.connect, t.nameLookup)
        let secured = max(t.appConnect, connected)
        return [("resolve", t.nameLookup), ("connect", connected - t.nameLookup), ("tls", secured - connected),
                ("processing", max(t.startTransfer - secured, 0)),
                ("transfer", max(t.total - t.redirect - t.startTransfer, 0))]
    }

    public var measurements: [Measurement] {
        var out = phases.map { Measurement(MetricCatalog.httpPhase.name, max($0.1, 0), labels: ["phase": $0.0]) }
        let t = response.times
        out += [
            Measurement(MetricCatalog.httpFirstByte.name, t.startTransfer),
            Measurement(MetricCatalog.httpTotal.name, t.total),
            Measurement(MetricCatalog.httpStatus.name, Double(response.status)),
            Measurement(MetricCatalog.httpBytes.name, Double(response.downloadedBytes)),
            Measurement(MetricCatalog.httpVersion.name, response.httpVersion),
            Measurement(MetricCatalog.httpRedirects.name, Double(response.redirectCount)),
        ]
        if let primary = SocketAddress(numeric: response.primaryIP) {
            out.append(Measurement(MetricCatalog.ipProtocol.name, Double(primary.ipVersion)))
        }
        if let bodyMatched { out.append(Measurement(MetricCatalog.httpBodyMatched.name, bodyMatched ? 1 : 0)) }
        if let earliest = response.certificates.compactMap(\.notAfter).min() {
            out.append(Measurement(MetricCatalog.tlsExpiry.name, Double(earliest)))
            out.append(Measurement(MetricCatalog.tlsRemaining.name, Double(earliest - HTTPProbe.now())))
        }
        return out
    }

    public var facts: [String: String] {
        var facts: [String: String] = [:]
        if response.httpVersion > 0 {
            facts["http_version"] = response.httpVersion == 2 || response.httpVersion == 3
                ? "HTTP/\(Int(response.httpVersion))" : "HTTP/\(response.httpVersion)"
        }
        if !response.primaryIP.isEmpty { facts["address"] = response.primaryIP }
        if !response.effectiveURL.isEmpty { facts["final_url"] = response.effectiveURL }
        if let leaf = response.certificates.first {
            facts.merge(Self.certificateFacts(leaf)) { _, new in new }
        }
        return facts
    }

    static func certificateFacts(_ leaf: CertificateInfo) -> [String: String] {
        var facts = ["tls_issuer": leaf.issuer, "tls_subject": leaf.subject]
        if let end = leaf.notAfter { facts["tls_not_after"] = WallClock.isoDate(seconds: end) }
        return facts
    }
}
