/// One HTTP(S) request as the probes describe it; libcurl options are derived from it in one place.
public struct CurlRequest: Sendable, Hashable {
    public var url: String
    public var timeout: Duration = .seconds(10)
    /// Give up connecting after this long (nil: only `timeout` bounds it): a cut line shows as a connect timeout.
    public var connectTimeout: Duration?
    /// `CURLOPT_INTERFACE`: an interface name, used as `if!NAME`.
    public var interface: String?
    /// A source address, used as `host!ADDR`.
    public var sourceAddress: String?
    public var proxy: String?
    /// A PEM file of CA certificates to trust instead of the system store.
    public var caFile: String?
    /// Skip certificate verification (certificate facts are still read).
    public var insecure = false
    public var followRedirects = true
    public var maxRedirects = 10
    /// At most this many body bytes are kept for matching; all are counted.
    public var bodyLimit = 1 << 20
    /// HEAD instead of GET.
    public var headOnly = false
    /// 4 or 6 to force the IP version, nil for either.
    public var ipVersion: Int?
    public var userAgent = "CommuneWatch-agent/0.1"
    /// Extra request headers, `Name: value`.
    public var headers: [String] = []
    /// A body to POST; nil for GET. With `mail`, the message to submit.
    public var body: [UInt8]?
    /// The method when it is neither GET nor POST (PUT, PATCH, DELETE); nil for the usual one.
    public var method: String?
    /// Makes the transfer an SMTP submission (`smtp://` or `smtps://` URL) of `body`.
    public var mail: CurlMail?
    /// Keep the connection for the next request (uploads); probes always measure a fresh one.
    public var reuseConnection = false
    /// Send at most this many bytes per second (the catch-up cap on a thin line).
    public var maxSendBytesPerSecond: Int?
    /// Abort when fewer than 1 byte per second moved for this long (a collector that stalls).
    public var stallTimeout: Duration?

    public init(url: String) { self.url = url }
}

/// What libcurl measured and received for one transfer.
public struct CurlResponse: Sendable {
    /// Cumulative times from the start, in seconds, as `curl -w` prints them.
    public struct Times: Sendable, Hashable {
        public var nameLookup = 0.0
        public var connect = 0.0
        public var appConnect = 0.0
        public var preTransfer = 0.0
        public var startTransfer = 0.0
        public var total = 0.0
        public var redirect = 0.0
    }

    public var status = 0
    /// 1.0, 1.1, 2 or 3; 0 when unknown.
    public var httpVersion = 0.0
    public var times = Times()
    public var redirectCount = 0
    public var downloadedBytes = 0
    /// The first `bodyLimit` bytes of the body.
    public var body: [UInt8] = []
    public var effectiveURL = ""
    public var primaryIP = ""
    public var certificates: [CertificateInfo] = []
    /// Response headers of the last response, names lower-cased.
    public var headers: [String: String] = [:]
    /// An SMTP submission's server replies, one line each ("250 OK", "550 5.1.1 no such user"):
    /// the last one says why a refused message was refused.
    public var replies: [String] = []
}

/// One certificate of the peer's chain, as `CURLINFO_CERTINFO` reports it.
public struct CertificateInfo: Sendable, Hashable {
    public var subject: String
    public var issuer: String
    /// Unix seconds; nil when the date could not be read.
    public var notAfter: Int64?
    public var notBefore: Int64?
}
