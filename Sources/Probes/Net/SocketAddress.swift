#if canImport(Glibc)
import Glibc
#endif

/// An IPv4 or IPv6 socket address, copied out of the C structures so it can travel between threads.
public struct SocketAddress: Hashable, Sendable, CustomStringConvertible {
    /// Raw `sockaddr_in` / `sockaddr_in6` bytes.
    let bytes: [UInt8]

    init(storage: UnsafeRawPointer, length: Int) {
        bytes = Array(UnsafeRawBufferPointer(start: storage, count: length))
    }

    /// Parses a numeric IPv4 or IPv6 address (no name lookup); nil when it is not one.
    public init?(numeric host: String, port: UInt16 = 0) {
        var v4 = sockaddr_in()
        if inet_pton(AF_INET, host, &v4.sin_addr) == 1 {
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = port.bigEndian
            self = withUnsafeBytes(of: &v4) { SocketAddress(storage: $0.baseAddress!, length: $0.count) }
            return
        }
        var v6 = sockaddr_in6()
        var text = host
        if text.hasPrefix("["), text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        // Scope ids (fe80::1%eth0) go through getaddrinfo, which understands them.
        if inet_pton(AF_INET6, text, &v6.sin6_addr) == 1 {
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = port.bigEndian
            self = withUnsafeBytes(of: &v6) { SocketAddress(storage: $0.baseAddress!, length: $0.count) }
            return
        }
        return nil
    }

    public var family: Int32 {
        bytes.withUnsafeBytes { Int32($0.load(fromByteOffset: 0, as: sa_family_t.self)) }
    }

    public var isIPv6: Bool { family == AF_INET6 }

    /// 4 or 6, as `probe_ip_protocol` reports it.
    public var ipVersion: Int { isIPv6 ? 6 : 4 }

    public var port: UInt16 {
        bytes.withUnsafeBytes { UInt16(bigEndian: $0.load(fromByteOffset: 2, as: UInt16.self)) }
    }

    /// The same address with another port.
    public func with(port: UInt16) -> SocketAddress {
        var copy = bytes
        copy.withUnsafeMutableBytes { $0.storeBytes(of: port.bigEndian, toByteOffset: 2, as: UInt16.self) }
        return SocketAddress(raw: copy)
    }

    private init(raw: [UInt8]) { bytes = raw }

    /// The numeric host, e.g. `127.0.0.1` or `::1`.
    public var host: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        bytes.withUnsafeBytes { raw in
            if isIPv6 {
                let offset = MemoryLayout<sockaddr_in6>.offset(of: \sockaddr_in6.sin6_addr)!
                _ = inet_ntop(AF_INET6, raw.baseAddress! + offset, &buffer, socklen_t(buffer.count))
            } else {
                let offset = MemoryLayout<sockaddr_in>.offset(of: \sockaddr_in.sin_addr)!
                _ = inet_ntop(AF_INET, raw.baseAddress! + offset, &buffer, socklen_t(buffer.count))
            }
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public var description: String { isIPv6 ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Calls `body` with a `sockaddr` pointer and its length, for the C socket calls.
    func withSockAddr<T>(_ body: (UnsafePointer<sockaddr>, socklen_t) throws -> T) rethrows -> T {
        try bytes.withUnsafeBytes { raw in
            try body(raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(raw.count))
        }
    }
}

extension SocketAddress {
    /// An IPv6 address from its 16 raw bytes (as in a DNS AAAA record).
    init?(ipv6Bytes: [UInt8]) {
        guard ipv6Bytes.count == 16 else { return nil }
        var v6 = sockaddr_in6()
        v6.sin6_family = sa_family_t(AF_INET6)
        withUnsafeMutableBytes(of: &v6.sin6_addr) { $0.copyBytes(from: ipv6Bytes) }
        self = withUnsafeBytes(of: &v6) { SocketAddress(storage: $0.baseAddress!, length: $0.count) }
    }
}
