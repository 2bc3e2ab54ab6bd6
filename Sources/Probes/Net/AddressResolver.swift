#if canImport(Glibc)
import Glibc
#endif

/// Turns a host name or numeric address into socket addresses with the system resolver (getaddrinfo).
public enum AddressResolver {
    /// Resolves `host`; throws `resolveFailed` naming the host and the resolver's reason.
    ///
    /// Blocking: call it from a dedicated thread.
    public static func resolve(_ host: String, port: UInt16 = 0, prefer: IPPreference = .any) throws(ProbeFailure) -> [SocketAddress] {
        if let numeric = SocketAddress(numeric: host, port: port) {
            switch (prefer, numeric.isIPv6) {
            case (.ipv4, true), (.ipv6, false):
                throw ProbeFailure(.badTarget, "\(host) is not an \(prefer == .ipv4 ? "IPv4" : "IPv6") address")
            default: return [numeric]
            }
        }
        var hints = addrinfo()
        hints.ai_family = prefer == .ipv4 ? AF_INET : prefer == .ipv6 ? AF_INET6 : AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let name = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        let rc = getaddrinfo(name, nil, &hints, &list)
        guard rc == 0, let first = list else {
            let reason = String(cString: gai_strerror(rc))
            throw ProbeFailure(.resolveFailed, "cannot resolve \(host): \(reason)")
        }
        defer { freeaddrinfo(list) }
        var out: [SocketAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            if let addr = entry.pointee.ai_addr, entry.pointee.ai_family == AF_INET || entry.pointee.ai_family == AF_INET6 {
                let address = SocketAddress(storage: addr, length: Int(entry.pointee.ai_addrlen)).with(port: port)
                if !out.contains(address) { out.append(address) }
            }
            cursor = entry.pointee.ai_next
        }
        guard !out.isEmpty else { throw ProbeFailure(.resolveFailed, "cannot resolve \(host): no IPv4 or IPv6 address") }
        return out
    }
}
