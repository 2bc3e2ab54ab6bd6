/// Why a probe did not pass: a kind that code and people can tell apart, plus the specifics.
public struct ProbeFailure: Error, Hashable, Sendable, CustomStringConvertible {
    /// The failure kinds the diagnosis and alerts tell apart.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case unreachable = "unreachable"
        case timeout = "timeout"
        case refused = "connection_refused"
        case resolveFailed = "resolve_failed"
        case nxdomain = "dns_nxdomain"
        case servfail = "dns_servfail"
        case dnsRefused = "dns_refused"
        case dnsTimeout = "dns_timeout"
        case dnsBadReply = "dns_bad_reply"
        case tlsVerificationFailed = "tls_verification_failed"
        case certificateExpired = "tls_certificate_expired"
        case tlsHandshakeFailed = "tls_handshake_failed"
        case wrongStatus = "http_wrong_status"
        case bodyMismatch = "http_body_mismatch"
        case tooManyRedirects = "http_too_many_redirects"
        case httpError = "http_error"
        case noReply = "icmp_no_reply"
        case tooLossy = "too_lossy"
        case tooSlow = "too_slow"
        case snmpAuthFailed = "snmp_auth_failed"
        case snmpUnknownUser = "snmp_unknown_user"
        case snmpNoSuchObject = "snmp_no_such_object"
        case snmpError = "snmp_error"
        case noModem = "modem_not_found"
        case modemFailed = "modem_failed"
        case missingTool = "missing_tool"
        case missingCapability = "missing_capability"
        case interfaceUnavailable = "interface_unavailable"
        case badTarget = "bad_target"
        case internalError = "internal_error"
    }

    public let kind: Kind
    /// Plain English specifics, e.g. "expected status 200, got 503".
    public let detail: String

    /// Facts learnt on the way to the failure (the certificate issuer of a rejected certificate, say).
    public var facts: [String: String]

    public init(_ kind: Kind, _ detail: String, facts: [String: String] = [:]) {
        self.kind = kind
        self.detail = detail
        self.facts = facts
    }

    public var description: String { detail }
}

extension ProbeFailure.Kind {
    /// Whether the far end answered, however badly (a lossy or slow echo round, a refused port, a
    /// wrong HTTP status, a DNS error reply): the path to it is up even though the probe failed,
    /// so a line losing a fifth of its packets is lossy, not down.
    public var farEndAnswered: Bool {
        switch self {
        case .tooLossy, .tooSlow, .refused, .wrongStatus, .bodyMismatch, .tooManyRedirects, .nxdomain, .servfail, .dnsRefused,
             .dnsBadReply, .tlsVerificationFailed, .certificateExpired, .snmpAuthFailed, .snmpUnknownUser, .snmpNoSuchObject:
            true
        default:
            false
        }
    }
}
