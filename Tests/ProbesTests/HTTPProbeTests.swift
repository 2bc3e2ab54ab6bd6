import Testing
import TestSupport
@testable import Probes

@Suite(.ownQueue) struct HTTPProbeTests {
    func fetch(_ path: String, port: KeyPath<HTTPSPeer, Int> = \.https, scheme: String = "https", timeout: Duration = .seconds(5),
               configure: (inout HTTPProbe) -> Void = { _ in }) async throws -> ProbeOutcome {
        let peer = try httpsPeer()
        var probe = HTTPProbe(url: "\(scheme)://127.0.0.1:\(peer[keyPath: port])\(path)")
        probe.caFile = peer.caFile
        configure(&probe)
        return await outcome(.http(probe), timeout: timeout)
    }

    @Test func trustedHTTPSReportsEveryPhaseAndTheCertificate() async throws {
        let o = try await fetch("/ok") { $0.expectedBody = "peer OK" }
        #expect(o.ok, "\(String(describing: o.failure))")
        #expect(metric(o, "probe_http_status_code") == 200)
        for phase in ["resolve", "connect", "tls", "processing", "transfer"] {
            #expect(metric(o, "probe_http_duration_seconds", ["phase": phase]) != nil, "phase \(phase)")
        }
        #expect(try #require(metric(o, "probe_http_duration_seconds", ["phase": "tls"])) > 0)
        #expect(metric(o, "probe_http_content_matched") == 1)
        #expect(metric(o, "probe_http_response_bytes") == Double("CommuneWatch peer OK".utf8.count))
        let remaining = try #require(metric(o, "probe_tls_cert_expiry_remaining_seconds"))
        #expect(abs(remaining / 86400 - 365) < 2)
        #expect(o.facts["tls_issuer"]?.contains("CommuneWatch Test CA") == true)
        #expect(o.facts["http_version"]?.hasPrefix("HTTP/1") == true)
    }

    @Test func plainHTTPHasAZeroTLSPhase() async throws {
        let o = try await fetch("/ok", port: \.http, scheme: "http")
        #expect(o.ok)
        #expect(metric(o, "probe_http_duration_seconds", ["phase": "tls"]) == 0)
        #expect(metric(o, "probe_tls_cert_expiry_remaining_seconds") == nil)
    }

    @Test func untrustedCertificateIsAVerificationFailure() async throws {
        let o = try await fetch("/ok") { $0.caFile = nil }
        #expect(o.failure?.kind == .tlsVerificationFailed)
        // The chain is still looked at, so the report can name the issuer.
        #expect(o.facts["tls_issuer"]?.contains("CommuneWatch Test CA") == true)
    }

    @Test func expiredCertificateIsToldApart() async throws {
        let o = try await fetch("/ok", port: \.expired)
        let failure = try #require(o.failure)
        #expect(failure.kind == .certificateExpired)
        #expect(failure.detail.contains("expired 10 days ago"), "\(failure.detail)")
        #expect(o.facts["tls_not_after"] != nil)
    }

    @Test func wrongStatusAndBodyMismatch() async throws {
        let status = try await fetch("/status/503")
        #expect(status.failure?.kind == .wrongStatus)
        #expect(metric(status, "probe_http_status_code") == 503)
        let body = try await fetch("/wrong") { $0.expectedBody = "Cổng Dịch vụ công" }
        #expect(body.failure?.kind == .bodyMismatch)
        #expect(metric(body, "probe_http_content_matched") == 0)
        let accepted = try await fetch("/status/404") { $0.expectedStatus = [404] }
        #expect(accepted.ok)
    }

    @Test func slowEndpointShowsInTheProcessingPhaseAndTimesOut() async throws {
        let slow = try await fetch("/slow?ms=400")
        #expect(slow.ok)
        #expect(try #require(metric(slow, "probe_http_duration_seconds", ["phase": "processing"])) >= 0.39)
        let timedOut = try await fetch("/slow?ms=3000", timeout: .milliseconds(500))
        #expect(timedOut.failure?.kind == .timeout)
        #expect(try #require(metric(timedOut, "probe_duration_seconds")) < 2)
        let limited = try await fetch("/slow?ms=300") { $0.maxDuration = .milliseconds(100) }
        #expect(limited.failure?.kind == .tooSlow)
    }

    @Test func redirectsAreFollowedAndCounted() async throws {
        let o = try await fetch("/redirect?n=3")
        #expect(o.ok)
        #expect(metric(o, "probe_http_redirects") == 3)
        #expect(o.facts["final_url"]?.hasSuffix("/ok") == true)
        let capped = try await fetch("/redirect?n=5") { $0.maxRedirects = 2 }
        #expect(capped.failure?.kind == .tooManyRedirects)
    }

    @Test func refusedAndUnresolvable() async throws {
        let refused = await outcome(.http(HTTPProbe(url: "http://127.0.0.1:\(closedPort())/")))
        #expect(refused.failure?.kind == .refused)
        let unresolvable = await outcome(.http(HTTPProbe(url: "https://no-such-portal.invalid/")))
        #expect(unresolvable.failure?.kind == .resolveFailed)
    }

    @Test func proxyIsUsed() async throws {
        // The plain-HTTP peer is not a proxy: a request sent through it as one comes back as its 404,
        // which proves the transfer went to the proxy and not to the (unresolvable) target host.
        let peer = try httpsPeer()
        var probe = HTTPProbe(url: "http://portal.invalid/ok")
        probe.proxy = "http://127.0.0.1:\(peer.http)"
        probe.expectedStatus = [200, 404]
        let o = await outcome(.http(probe))
        #expect(o.ok, "\(String(describing: o.failure))")
        #expect(o.facts["address"] == "127.0.0.1")
    }
}
