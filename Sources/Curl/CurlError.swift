import CCurl

/// A failed transfer: libcurl's code and message, with the socket errno and TLS verify result behind it.
public struct CurlError: Error, Sendable, CustomStringConvertible {
    /// The `CURLcode` number.
    public let code: Int
    /// libcurl's error buffer text, or `curl_easy_strerror` when empty.
    public let message: String
    /// `CURLINFO_OS_ERRNO`: the errno of a failed connect.
    public let osErrno: Int
    /// `CURLINFO_SSL_VERIFYRESULT`: OpenSSL's X509 verify code (10 = certificate expired).
    public let sslVerifyResult: Int
    /// What was measured before the failure.
    public let partial: CurlResponse

    public var description: String { "curl error \(code): \(message)" }

    public static let couldNotResolveProxy = Int(CURLE_COULDNT_RESOLVE_PROXY.rawValue)
    public static let couldNotResolveHost = Int(CURLE_COULDNT_RESOLVE_HOST.rawValue)
    public static let couldNotConnect = Int(CURLE_COULDNT_CONNECT.rawValue)
    public static let timedOut = Int(CURLE_OPERATION_TIMEDOUT.rawValue)
    public static let peerFailedVerification = Int(CURLE_PEER_FAILED_VERIFICATION.rawValue)
    public static let sslConnectError = Int(CURLE_SSL_CONNECT_ERROR.rawValue)
    public static let interfaceFailed = Int(CURLE_INTERFACE_FAILED.rawValue)
    public static let tooManyRedirects = Int(CURLE_TOO_MANY_REDIRECTS.rawValue)
    public static let badURL = Int(CURLE_URL_MALFORMAT.rawValue)
    public static let unsupportedProtocol = Int(CURLE_UNSUPPORTED_PROTOCOL.rawValue)
    public static let sslCACertBadFile = Int(CURLE_SSL_CACERT_BADFILE.rawValue)

    /// OpenSSL's `X509_V_ERR_CERT_HAS_EXPIRED`.
    public static let verifyCertificateExpired = 10
    /// OpenSSL's `X509_V_ERR_CERT_NOT_YET_VALID`.
    public static let verifyCertificateNotYetValid = 9
}
