/// A minimal JSON writer (objects built key by key): the agent links no Foundation.
public struct JSONWriter {
    public init() {}

    private var parts: [String] = []

    public mutating func add(_ key: String, _ value: String?) { parts.append(Self.quote(key) + ":" + (value.map(Self.quote) ?? "null")) }
    public mutating func add(_ key: String, _ value: Bool) { parts.append(Self.quote(key) + ":" + (value ? "true" : "false")) }
    public mutating func add(_ key: String, number: Double?) { parts.append(Self.quote(key) + ":" + Self.number(number)) }
    public mutating func add(_ key: String, raw: String) { parts.append(Self.quote(key) + ":" + raw) }

    public var object: String { "{" + parts.joined(separator: ",") + "}" }

    public static func object(_ pairs: [(String, String)]) -> String {
        "{" + pairs.map { quote($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
    }

    /// A number, or null where JSON has no number (NaN, infinity, missing).
    public static func number(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "null" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        // Nanosecond resolution is all a probe measures; it also hides binary noise (0.0018650000000000001).
        if abs(value) < 1e6 { return "\((value * 1e9).rounded() / 1e9)" }
        return "\(value)"
    }

    public static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
