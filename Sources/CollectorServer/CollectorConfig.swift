import Foundation
import Reports
import Storage
import TOML

/// `collector.toml`: every setting of `serve`, each optional; errors name the file, the line and
/// what was expected. Command-line options override the file.
public enum CollectorConfig {
    static let sections: [String: [String]] = [
        "server": ["listen", "data", "tls_certificate", "tls_key"],
        "limits": ["agent_requests_per_second", "max_inflight_ingests", "max_body_mb", "max_inflated_mb"],
        "retention": ["raw_days", "five_minute_days", "hour_days", "event_days"],
        "database": ["url"],
        "alerting": ["rules", "webhooks", "public_url", "ack_link_hours"],
        "report": ["weights"],
        "staff": ["session_idle_hours"],
    ]

    public static func load(path: String) throws(ConfigFileError) -> Collector.Settings {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ConfigFileError("\(path): cannot read it as UTF-8 text")
        }
        return try parse(text, source: path)
    }

    public static func parse(_ text: String, source: String) throws(ConfigFileError) -> Collector.Settings {
        let root: TOMLTable
        do { root = try TOMLParser.parse(text) } catch { throw ConfigFileError("\(source):\(error.line): \(error.message)") }
        var settings = Collector.Settings()
        for (name, node) in root.items {
            guard let keys = sections[name] else {
                throw ConfigFileError("\(source):\(node.line): unknown section [\(name)] (sections: \(sections.keys.sorted().joined(separator: ", ")))")
            }
            guard case let .table(table) = node.value else { throw ConfigFileError("\(source):\(node.line): [\(name)] must be a table") }
            for (key, value) in table.items {
                guard keys.contains(key) else {
                    throw ConfigFileError("\(source):\(value.line): unknown key '\(key)' in [\(name)] (keys: \(keys.joined(separator: ", ")))")
                }
                try apply(name + "." + key, value, to: &settings, source: source)
            }
        }
        if (settings.tlsCertificate == nil) != (settings.tlsKey == nil) {
            throw ConfigFileError("\(source): tls_certificate and tls_key go together")
        }
        return settings
    }

    /// `HOST:PORT` (`[::1]:8470` too), the port 0…65535; nil otherwise.
    public static func hostPort(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        return (String(text[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]")), port)
    }

    static func apply(_ key: String, _ node: TOMLNode, to s: inout Collector.Settings, source: String) throws(ConfigFileError) {
        func fail(_ expected: String) -> ConfigFileError {
            ConfigFileError("\(source):\(node.line): '\(key)' must be \(expected), not a \(node.value.typeName)")
        }
        func string() throws(ConfigFileError) -> String {
            guard case let .string(v) = node.value else { throw fail("a string") }
            return v
        }
        func number(_ range: ClosedRange<Double>) throws(ConfigFileError) -> Double {
            let v: Double
            switch node.value {
            case let .integer(i): v = Double(i)
            case let .float(f): v = f
            default: throw fail("a number")
            }
            guard range.contains(v) else { throw ConfigFileError("\(source):\(node.line): '\(key)' must be within \(range.lowerBound)…\(range.upperBound)") }
            return v
        }
        switch key {
        case "server.listen":
            let text = try string()
            guard let (host, port) = hostPort(text) else {
                throw ConfigFileError("\(source):\(node.line): 'server.listen' = \"\(text)\" is not HOST:PORT")
            }
            s.host = host
            s.port = port
        case "server.data": s.dataDirectory = try string()
        case "alerting.rules": s.alertRules = try string()
        case "alerting.webhooks":
            guard case let .array(items) = node.value else { throw fail("a list of URLs") }
            s.webhooks = try items.map { item throws(ConfigFileError) in
                guard case let .string(url) = item.value, url.hasPrefix("http://") || url.hasPrefix("https://") else {
                    throw ConfigFileError("\(source):\(item.line): 'alerting.webhooks' holds http(s):// URLs")
                }
                return url
            }
        case "alerting.public_url":
            let url = try string()
            guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
                throw ConfigFileError("\(source):\(node.line): 'alerting.public_url' must be an http(s):// URL (the collector as phones reach it)")
            }
            s.publicURL = url.hasSuffix("/") ? String(url.dropLast()) : url
        case "alerting.ack_link_hours": s.acknowledgeLinkLifetime = .seconds(Int64(try number(0.01...744) * 3600))
        case "staff.session_idle_hours": s.staffSessionIdle = .seconds(Int64(try number(0.01...720) * 3600))
        case "database.url":
            let url = try string()
            guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") else {
                throw ConfigFileError("\(source):\(node.line): 'database.url' must be a postgres://USER:PASSWORD@HOST:PORT/DATABASE URL")
            }
            s.database = url
        case "server.tls_certificate": s.tlsCertificate = try string()
        case "server.tls_key": s.tlsKey = try string()
        case "limits.agent_requests_per_second":
            s.agentRequestsPerSecond = try number(0.01...1_000_000)
            s.agentBurst = 2 * s.agentRequestsPerSecond
        case "limits.max_inflight_ingests": s.maxInFlightIngests = Int(try number(1...10_000))
        case "limits.max_body_mb": s.maxBodyBytes = Int(try number(1...1024)) << 20
        case "limits.max_inflated_mb": s.maxInflatedBytes = Int(try number(1...4096)) << 20
        case "retention.raw_days": s.retention.rawDays = Int(try number(1...3650))
        case "retention.five_minute_days": s.retention.fiveMinuteDays = Int(try number(1...36500))
        case "retention.hour_days": s.retention.hourDays = Int(try number(1...36500))
        case "retention.event_days": s.retention.eventDays = Int(try number(1...36500))
        case "report.weights": s.reportWeights = try weights(node, source: source)
        default: break
        }
    }
}

extension CollectorConfig {
    /// `[report.weights]`: a number ≥ 0 per score component, the others keep their defaults.
    static func weights(_ node: TOMLNode, source: String) throws(ConfigFileError) -> ScoreWeights {
        guard case let .table(table) = node.value else {
            throw ConfigFileError("\(source):\(node.line): [report.weights] must be a table of weights, not a \(node.value.typeName)")
        }
        let names = ScoreComponent.allCases.map(\.rawValue)
        var overrides: [ScoreComponent: Double] = [:]
        for (key, value) in table.items {
            guard let component = ScoreComponent(rawValue: key) else {
                throw ConfigFileError("\(source):\(value.line): unknown key '\(key)' in [report.weights] (keys: \(names.joined(separator: ", ")))")
            }
            let weight: Double
            switch value.value {
            case let .integer(i): weight = Double(i)
            case let .float(f): weight = f
            default: throw ConfigFileError("\(source):\(value.line): 'report.weights.\(key)' must be a number ≥ 0, not a \(value.value.typeName)")
            }
            guard weight.isFinite, weight >= 0 else {
                throw ConfigFileError("\(source):\(value.line): 'report.weights.\(key)' must be a number ≥ 0, not \(weight)")
            }
            overrides[component] = weight
        }
        do { return try ScoreWeights(overrides) } catch {
            throw ConfigFileError("\(source):\(table.line): [report.weights]: \(error.description)")
        }
    }
}

/// A collector configuration file that cannot be used, and why.
public struct ConfigFileError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
