/// `HOST`, `HOST:PORT` and `[IPv6]:PORT` as people write them in targets and configuration.
public enum HostPort {
    /// Splits `HOST`, `HOST:PORT` or `[V6]:PORT` (`defaultPort` when absent).
    public static func split(_ text: String, defaultPort: UInt16) -> (host: String, port: UInt16)? {
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            let host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            if rest.isEmpty { return (host, defaultPort) }
            guard rest.hasPrefix(":"), let port = UInt16(rest.dropFirst()) else { return nil }
            return (host, port)
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        if parts.count == 2 {
            guard let port = UInt16(parts[1]), !parts[0].isEmpty else { return nil }
            return (String(parts[0]), port)
        }
        return text.isEmpty ? nil : (text, defaultPort)  // bare host or bare IPv6 address
    }
}
