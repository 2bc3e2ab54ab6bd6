/// An SNMP agent to poll and how: address, version, credentials, timeout and retries.
public struct SNMPTarget: Hashable, Sendable {
    /// SNMP protocol versions.
    public enum Version: String, Hashable, Sendable, CaseIterable {
        case v1 = "1", v2c = "2c", v3 = "3"
    }

    public var host: String
    public var port: UInt16 = 161
    public var version: Version = .v2c
    public var community = "public"
    public var v3: SNMPv3Credentials?
    public var timeout: Duration = .seconds(2)
    public var retries = 1

    public init(host: String, port: UInt16 = 161, version: Version = .v2c, community: String = "public") {
        self.host = host
        self.port = port
        self.version = version
        self.community = community
    }

    /// net-snmp's peer name: `udp:HOST:PORT`, `udp6:[HOST]:PORT` for IPv6 literals.
    var peerName: String {
        host.contains(":") ? "udp6:[\(host)]:\(port)" : "udp:\(host):\(port)"
    }
}

/// SNMPv3 user-based security: user, authentication and privacy.
public struct SNMPv3Credentials: Hashable, Sendable {
    /// Authentication protocols net-snmp 5.9 offers.
    public enum Auth: String, Hashable, Sendable, CaseIterable {
        case none, md5 = "MD5", sha = "SHA", sha224 = "SHA-224", sha256 = "SHA-256", sha384 = "SHA-384", sha512 = "SHA-512"
        var code: Int32 { Int32(Self.allCases.firstIndex(of: self)!) }
    }

    /// Privacy (encryption) protocols.
    public enum Privacy: String, Hashable, Sendable, CaseIterable {
        case none, des = "DES", aes = "AES"
        var code: Int32 { Int32(Self.allCases.firstIndex(of: self)!) }
    }

    public var user: String
    public var auth: Auth = .none
    public var authPassword = ""
    public var privacy: Privacy = .none
    public var privacyPassword = ""

    public init(user: String, auth: Auth = .none, authPassword: String = "", privacy: Privacy = .none, privacyPassword: String = "") {
        self.user = user
        self.auth = auth
        self.authPassword = authPassword
        self.privacy = privacy
        self.privacyPassword = privacyPassword
    }
}
