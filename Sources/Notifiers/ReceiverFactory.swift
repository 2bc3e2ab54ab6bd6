import Alerting
import Curl
import Foundation

/// Turns a receiver as the routing file declares it into a working notifier, checking every
/// setting once, at load: a missing or wrong one is an error naming the file, line, receiver,
/// setting and what was expected.
public enum ReceiverFactory {
    /// The settings each kind understands (`header_NAME` too where headers are allowed).
    public static let settings: [ReceiverSpec.Kind: Set<String>] = [
        .webhook: ["url", "external_url"],
        .telegram: ["token", "chat", "api", "language"],
        .email: ["smtp", "from", "to", "starttls", "username", "password", "ca_file", "timeout", "language"],
        .gateway: ["url", "method", "body", "content_type", "to", "max_chars", "success_match", "language"],
        .alertmanager: ["url", "external_url"],
    ]

    public static func notifier(for spec: ReceiverSpec, templates: MessageTemplates, http: CurlMulti) throws(ReceiverError) -> any Notifier {
        let check = SettingsCheck(spec: spec)
        try check.onlyKnown(settings[spec.kind] ?? [], headers: [.gateway, .alertmanager].contains(spec.kind))
        switch spec.kind {
        case .webhook:
            return WebhookNotifier(name: spec.name, url: try check.url("url"), externalURL: spec.settings["external_url"] ?? "", http: http)
        case .telegram:
            let token = try check.required("token")
            guard token.contains(":"), !token.contains("/"), !token.contains(where: \.isWhitespace) else {
                throw check.error("token", "is not a bot token: expected the form 123456789:AA… that BotFather gives")
            }
            return TelegramNotifier(name: spec.name, token: token, chat: try check.required("chat"),
                                    api: try check.url("api", default: "https://api.telegram.org"), language: try check.language(),
                                    templates: templates, http: http)
        case .email:
            let server = try check.required("smtp")
            guard let scheme = URLComponents(string: server)?.scheme, ["smtp", "smtps"].contains(scheme),
                  URLComponents(string: server)?.host?.isEmpty == false else {
                throw check.error("smtp", "is \"\(server)\": expected smtp://HOST:587 (STARTTLS) or smtps://HOST:465")
            }
            let starttls = try check.choice("starttls", default: CurlMail.STARTTLS.required)
            let username = spec.settings["username"], password = spec.settings["password"]
            guard (username == nil) == (password == nil) else {
                throw check.error(username == nil ? "username" : "password", "is missing: a login needs both username and password")
            }
            if let ca = spec.settings["ca_file"], !FileManager.default.isReadableFile(atPath: ca) {
                throw check.error("ca_file", "is \"\(ca)\": no readable file there")
            }
            return EmailNotifier(name: spec.name, server: server, from: try check.address("from"), to: try check.addresses("to"),
                                 starttls: starttls, username: username, password: password, caFile: spec.settings["ca_file"],
                                 language: try check.language(), timeout: .seconds(try check.number("timeout", default: 30, in: 1...600)),
                                 templates: templates, http: http)
        case .gateway:
            let url = try check.required("url")
            // `{{phone}}` may stand anywhere in the address: judged with a phone in place.
            let sample = url.replacingOccurrences(of: "{{phone}}", with: "84900000000").replacingOccurrences(of: "{{text}}", with: "x")
            _ = try check.url("url", value: sample)
            let method = (spec.settings["method"] ?? "POST").uppercased()
            guard ["GET", "POST", "PUT", "PATCH"].contains(method) else {
                throw check.error("method", "is \"\(spec.settings["method"] ?? "")\": expected GET, POST, PUT or PATCH")
            }
            var phones: [String] = []
            for text in (spec.settings["to"] ?? "").split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !text.isEmpty {
                guard let phone = SettingsCheck.phone(text) else {
                    throw check.error("to", "has \"\(text)\": expected phone numbers (+84…), separated by commas")
                }
                phones.append(phone)
            }
            let headers = try check.headers(), language = try check.language()
            let maxChars = try check.number("max_chars", default: 320, in: 40...10_000)
            do throws(TemplateError) {
                return try GatewayNotifier(name: spec.name, url: url, method: method, body: method == "GET" ? nil : spec.settings["body"] ?? GatewayNotifier.defaultBody,
                                           contentType: spec.settings["content_type"] ?? "application/json", headers: headers, to: phones,
                                           maxChars: maxChars, successMatch: spec.settings["success_match"], language: language,
                                           templates: templates, http: http)
            } catch {
                throw check.error(error.file.hasSuffix("url") ? "url" : "body",
                                  "is not a valid template: \(error.problem) at line \(error.line), column \(error.column): \"\(error.text)\"")
            }
        case .alertmanager:
            return AlertmanagerNotifier(name: spec.name, url: try check.url("url"), headers: try check.headers(),
                                        externalURL: spec.settings["external_url"], http: http)
        }
    }
}

/// A receiver whose settings cannot work.
public struct ReceiverError: Error, Sendable, CustomStringConvertible {
    /// Where the receiver was declared ("alerts/routing.yml:12").
    public let origin: String
    public let receiver: String
    public let kind: ReceiverSpec.Kind
    public let setting: String
    public let problem: String

    public var description: String {
        (origin.isEmpty ? "" : origin + ": ") + "receiver \"\(receiver)\" (\(kind.rawValue)): setting `\(setting)` \(problem)"
    }
}

/// Reads one receiver's settings, each failure an error naming the setting.
struct SettingsCheck {
    let spec: ReceiverSpec

    func error(_ setting: String, _ problem: String) -> ReceiverError {
        ReceiverError(origin: spec.origin, receiver: spec.name, kind: spec.kind, setting: setting, problem: problem)
    }

    func onlyKnown(_ known: Set<String>, headers: Bool) throws(ReceiverError) {
        for key in spec.settings.keys.sorted() where !known.contains(key) && !(headers && key.hasPrefix("header_")) {
            throw error(key, "is not a setting of a \(spec.kind.rawValue) receiver: expected one of "
                + known.sorted().joined(separator: ", ") + (headers ? ", header_NAME" : ""))
        }
    }

    func required(_ key: String) throws(ReceiverError) -> String {
        guard let value = spec.settings[key]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else {
            throw error(key, "is missing")
        }
        return value
    }

    func url(_ key: String, default fallback: String? = nil, value: String? = nil) throws(ReceiverError) -> String {
        let text: String
        if let value { text = value } else if let fallback { text = spec.settings[key] ?? fallback } else { text = try required(key) }
        guard let parts = URLComponents(string: text), ["http", "https"].contains(parts.scheme ?? ""), parts.host?.isEmpty == false else {
            throw error(key, "is \"\(spec.settings[key] ?? text)\": expected an http:// or https:// address")
        }
        return spec.settings[key] ?? text
    }

    func language() throws(ReceiverError) -> String {
        let language = spec.settings["language"] ?? "vi"
        guard MessageTemplates.languages.contains(language) else {
            throw error("language", "is \"\(language)\": expected " + MessageTemplates.languages.joined(separator: " or "))
        }
        return language
    }

    func choice<T: RawRepresentable & CaseIterable>(_ key: String, default fallback: T) throws(ReceiverError) -> T where T.RawValue == String {
        guard let text = spec.settings[key] else { return fallback }
        guard let value = T(rawValue: text) else {
            throw error(key, "is \"\(text)\": expected " + T.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return value
    }

    func number(_ key: String, default fallback: Int, in range: ClosedRange<Int>) throws(ReceiverError) -> Int {
        guard let text = spec.settings[key] else { return fallback }
        guard let value = Int(text), range.contains(value) else {
            throw error(key, "is \"\(text)\": expected a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    func address(_ key: String) throws(ReceiverError) -> String {
        let value = try required(key)
        guard Self.isAddress(value) else { throw error(key, "is \"\(value)\": expected an e-mail address (name@example.vn)") }
        return value
    }

    func addresses(_ key: String) throws(ReceiverError) -> [String] {
        let list = (spec.settings[key] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for value in list where !Self.isAddress(value) {
            throw error(key, "has \"\(value)\": expected e-mail addresses separated by commas")
        }
        return list
    }

    /// `header_X-Api-Key: secret` → `X-Api-Key: secret`.
    func headers() throws(ReceiverError) -> [String] {
        var out: [String] = []
        for (key, value) in spec.settings.sorted(by: { $0.key < $1.key }) where key.hasPrefix("header_") {
            let name = String(key.dropFirst("header_".count))
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter && $0.isASCII || $0.isNumber || $0 == "-" || $0 == "_" }) else {
                throw error(key, "names no valid header: expected header_NAME with letters, digits and dashes")
            }
            guard !value.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) else { throw error(key, "has a line break in its value") }
            out.append(name + ": " + value)
        }
        return out
    }

    /// The phone as a gateway wants it: digits, with a leading + for the international form
    /// ("+84 905-123.456" → "+84905123456"); nil when it is not a phone number.
    static func phone(_ text: String) -> String? {
        let compact = text.filter { !" -.()".contains($0) }
        let digits = compact.hasPrefix("+") ? compact.dropFirst() : compact[...]
        return digits.count >= 3 && digits.allSatisfy({ $0.isASCII && $0.isNumber }) ? compact : nil
    }

    /// `local@domain`, nothing that could break a header or an SMTP command.
    static func isAddress(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !parts[1].hasPrefix(".") && !parts[1].hasSuffix(".")
            && !text.contains { $0.isWhitespace || "<>,;\"()[]\\".contains($0) }
    }
}
