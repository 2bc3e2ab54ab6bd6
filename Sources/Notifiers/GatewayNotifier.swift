import Alerting
import Curl
import Foundation
import Mustache

/// SMS or Zalo through an HTTP gateway of the province's choosing: one request per phone, its
/// address and body from templates (`{{phone}}`, `{{text}}`), success being a 2xx answer (and, when
/// set, a word the gateway puts in its body). Phones already reached are not sent the same
/// notices again when a retry follows a partial failure.
public struct GatewayNotifier: Notifier {
    public let name: String
    /// The address; `{{phone}}` and `{{text}}` in it are URL-encoded.
    let url: MustacheTemplate
    let method: String
    /// The body template; nil for a GET.
    let body: MustacheTemplate?
    let contentType: String
    /// Extra headers, `Name: value` (an API key).
    let headers: [String]
    let to: [String]
    /// The text is cut to this many UTF-16 units (what SMS counts), keeping the acknowledge link.
    let maxChars: Int
    /// A substring the gateway's answer must contain ("\"status\":\"sent\""), when it answers 200 to failures too.
    let successMatch: String?
    let language: String
    let templates: MessageTemplates
    let http: CurlMulti
    let reached = ReachedPhones()

    /// The body sent when none is configured: `{"phone": "…", "text": "…"}`.
    public static let defaultBody = #"{"phone":"{{phone_json}}","text":"{{text_json}}"}"#

    /// `url` and `body` are Mustache templates (see `values`); a GET sends no body.
    public init(name: String = "gateway", url: String, method: String = "POST", body: String? = GatewayNotifier.defaultBody,
                contentType: String = "application/json", headers: [String] = [], to: [String] = [], maxChars: Int = 320,
                successMatch: String? = nil, language: String = "vi", templates: MessageTemplates = .builtIn,
                http: CurlMulti = CurlMulti()) throws(TemplateError) {
        self.name = name
        self.url = try MessageTemplates.plain(url, file: "\(name): url")
        self.method = method.uppercased()
        self.body = try body.map { text throws(TemplateError) in try MessageTemplates.plain(text, file: "\(name): body") }
        self.contentType = contentType
        self.headers = headers
        self.to = to
        self.maxChars = maxChars
        self.successMatch = successMatch
        self.language = language
        self.templates = templates
        self.http = http
    }

    public func deliver(_ notices: [AlertNotice], to recipients: [Person]) async throws {
        var seen = Set<String>()
        let phones = (to + recipients.compactMap(\.phone)).compactMap(SettingsCheck.phone).filter { seen.insert($0).inserted }
        guard !phones.isEmpty else { throw DeliveryError("no phone to send to (no `to`, and no recipient has one)") }
        let link = notices.lazy.compactMap(\.context.acknowledgeURL).first
        let text = Self.shorten(templates.render(.message, notices, language: language), keeping: link, to: maxChars)
        let group = notices.map { $0.key + "|" + $0.changeName + "|\($0.at)" }.joined(separator: "\n")
        var failures: [String] = []
        for phone in phones where await !reached.contains(group, phone) {
            do {
                try await send(text, to: phone)
                await reached.insert(group, phone)
            } catch {
                failures.append("\(phone): \(error)")
            }
        }
        guard failures.isEmpty else { throw DeliveryError(failures.joined(separator: "; ")) }
    }

    func send(_ text: String, to phone: String) async throws {
        let address = url.render(Self.values(phone: phone, text: text, encode: Self.urlEncoded))
        var request = CurlRequest(url: address)
        request.timeout = .seconds(15)
        request.followRedirects = false
        request.userAgent = "CommuneWatch-collector"
        request.headers = ["Expect:"] + headers
        if method != "POST" { request.method = method }
        if let body, method != "GET" {
            request.body = Array(body.render(Self.values(phone: phone, text: text, encode: nil)).utf8)
            request.headers.append("Content-Type: " + contentType)
        }
        let response = try await http.perform(request)
        let answer = String(decoding: response.body.prefix(300), as: UTF8.self)
        guard (200..<300).contains(response.status) else { throw DeliveryError("HTTP \(response.status): \(answer)") }
        if let successMatch, !String(decoding: response.body, as: UTF8.self).contains(successMatch) {
            throw DeliveryError("HTTP \(response.status) without \"\(successMatch)\": \(answer)")
        }
    }

    /// What the URL and body templates can use: `phone` and `text` as they are (in a URL:
    /// URL-encoded), and `_json` (escaped for inside a JSON string), `_form` (form-encoded) and `_url`
    /// (percent-encoded) forms of each.
    static func values(phone: String, text: String, encode: ((String) -> String)?) -> [String: String] {
        var out: [String: String] = [:]
        for (key, value) in [("phone", phone), ("text", text)] {
            out[key] = encode?(value) ?? value
            out[key + "_json"] = jsonEscaped(value)
            out[key + "_form"] = formEncoded(value)
            out[key + "_url"] = urlEncoded(value)
        }
        return out
    }

    static func jsonEscaped(_ text: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes])) ?? Data("[\"\"]".utf8)
        let array = String(decoding: data, as: UTF8.self)
        return String(array.dropFirst(2).dropLast(2))
    }

    static func urlEncoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")) ?? ""
    }

    static func formEncoded(_ text: String) -> String {
        urlEncoded(text).replacingOccurrences(of: "%20", with: "+")
    }

    /// At most `limit` UTF-16 units; a longer text is cut with "…" and ends with `link`, the part
    /// of the message the person needs to act.
    static func shorten(_ text: String, keeping link: String?, to limit: Int) -> String {
        guard text.utf16.count > limit else { return text }
        var kept = text
        var tail = ""
        if let link, link.utf16.count + 2 < limit {
            kept = text.replacingOccurrences(of: link, with: "")
            tail = "\n" + link
        }
        let room = limit - tail.utf16.count - 1
        var out = ""
        for character in kept {
            guard out.utf16.count + String(character).utf16.count <= room else { break }
            out.append(character)
        }
        while let last = out.last, last.isWhitespace || last == ":" { out.removeLast() }
        return out + "…" + tail
    }
}

/// The phones that already got a group of notices, so a retry after a partial failure reaches
/// only the others; bounded to the latest groups.
actor ReachedPhones {
    private var reached: [String: Set<String>] = [:]
    private var order: [String] = []

    func contains(_ group: String, _ phone: String) -> Bool { reached[group]?.contains(phone) == true }

    func insert(_ group: String, _ phone: String) {
        if reached[group] == nil {
            order.append(group)
            if order.count > 500 { reached[order.removeFirst()] = nil }
        }
        reached[group, default: []].insert(phone)
    }
}
