import TOML
import WatchModel
import Probes

/// Ad-hoc targets typed on the command line: `icmp://HOST`, `tcp://HOST:PORT`, `dns://RESOLVER/NAME`,
/// `http(s)://…`, with options as query parameters (for http(s), after `#`, since the query belongs to the portal).
public enum TargetURL {
    /// Parses one target into a probe that goes through the same validation as the configuration file.
    public static func parse(_ text: String) throws(ConfigError) -> ConfiguredProbe {
        let fail = { (message: String) in ConfigError(source: text, line: 0, message: message) }
        guard let schemeEnd = text.firstOccurrence(of: "://") else {
            throw fail("a target is written as a URL: icmp://HOST, tcp://HOST:PORT, dns://RESOLVER/NAME, http://… or https://…")
        }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        var rest = String(text[schemeEnd.upperBound...])
        var table = TOMLTable(line: 0)
        func put(_ key: String, _ value: String) { table.set(key, TOMLNode(value: .string(value), line: 0)) }

        var options = ""
        // Options follow '?', except for http(s), whose query belongs to the portal: there they follow '#'.
        if scheme != "http", scheme != "https", let question = rest.firstIndex(of: "?") {
            options = String(rest[rest.index(after: question)...])
            rest = String(rest[..<question])
        }
        switch scheme {
        case "http", "https":
            if let hash = rest.firstIndex(of: "#") {
                options = String(rest[rest.index(after: hash)...])
                rest = String(rest[..<hash])
            }
            put("kind", "http")
            put("target", "\(scheme)://\(rest)")
        case "icmp", "tcp", "dns":
            put("kind", scheme)
            if scheme == "dns" {
                let slash = rest.firstIndex(of: "/")
                let resolver = slash.map { String(rest[..<$0]) } ?? ""
                let name = slash.map { String(rest[rest.index(after: $0)...]) } ?? rest
                guard slash != nil, !name.isEmpty else {
                    throw fail("a DNS target is dns://RESOLVER/NAME (or dns:///NAME for the system resolver)")
                }
                put("target", resolver.isEmpty ? "system" : percentDecoded(resolver))
                put("query", percentDecoded(name))
            } else {
                if rest.hasSuffix("/") { rest.removeLast() }
                put("target", percentDecoded(rest))
            }
        case "modem":
            if rest.hasSuffix("/") { rest.removeLast() }
            put("kind", "modem")
            put("target", rest.isEmpty ? "0" : rest)
        case "snmp":
            if rest.hasSuffix("/") { rest.removeLast() }
            put("kind", "snmp")
            if let at = rest.lastIndex(of: "@") {
                put("community", percentDecoded(String(rest[..<at])))
                rest = String(rest[rest.index(after: at)...])
            }
            put("target", percentDecoded(rest))
            // `check` shows rates: poll twice, two seconds apart, unless told otherwise.
            if !options.includes("rate_window=") { put("rate_window", "2s") }
        default:
            throw fail("unknown scheme \(scheme)://: expected icmp, tcp, dns, snmp, modem, http or https")
        }
        for pair in options.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = percentDecoded(String(parts[0]))
            guard parts.count == 2 else { throw fail("option '\(key)' needs a value: \(key)=…") }
            guard !["kind", "target"].contains(key), table[key] == nil else {
                throw fail("option '\(key)' cannot be given here or twice")
            }
            put(key, percentDecoded(String(parts[1])))
        }
        if table["critical"] == nil { put("critical", "true") }
        var reader = TableReader(table, source: text, context: "target", lenient: true)
        return try ProbeDecoder.decode(&reader, defaults: ProbeDefaults())
    }

    static func percentDecoded(_ text: String) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.first {
            utf8 = utf8.dropFirst()
            if byte == UInt8(ascii: "%"), utf8.count >= 2,
               let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
