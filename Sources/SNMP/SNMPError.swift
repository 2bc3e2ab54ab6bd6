/// A failed SNMP exchange, turned from net-snmp's status and error codes in one place.
public struct SNMPError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, in the terms a support team tells apart.
    public enum Kind: String, Hashable, Sendable {
        /// No answer: host down, wrong community, or an ACL dropping us (SNMP says nothing in these cases).
        case timeout
        /// SNMPv3: wrong authentication password or protocol.
        case authenticationFailure
        /// SNMPv3: the agent does not know the user.
        case unknownUser
        /// SNMPv3: wrong privacy password or protocol, or the agent cannot decrypt.
        case decryptionError
        /// SNMPv3: the agent does not support the requested security level.
        case unsupportedSecurityLevel
        /// The agent answered with an error status (noSuchName, genErr, tooBig...).
        case errorStatus
        /// The session could not be opened (bad address, name that does not resolve).
        case openFailed
        /// Bad input from our side (an invalid OID, key generation failure).
        case invalidRequest
        /// Anything else net-snmp reports.
        case other
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    /// net-snmp's error numbers (snmp_api.h) that matter here.
    static func kind(forLibraryError code: Int32) -> Kind {
        switch code {
        case -24: .timeout
        case -35, -46: .authenticationFailure
        case -33, -43, -27: .unknownUser
        case -50: .decryptionError
        case -34, -44: .unsupportedSecurityLevel
        case -3: .openFailed
        default: .other
        }
    }

    /// RFC 3416 error-status names.
    static func statusName(_ status: Int) -> String {
        let names = ["noError", "tooBig", "noSuchName", "badValue", "readOnly", "genErr", "noAccess", "wrongType",
                     "wrongLength", "wrongEncoding", "wrongValue", "noCreation", "inconsistentValue",
                     "resourceUnavailable", "commitFailed", "undoFailed", "authorizationError", "notWritable",
                     "inconsistentName"]
        return status >= 0 && status < names.count ? names[status] : "error \(status)"
    }
}
