import Alerting
import Curl
import Foundation
import WatchModel

/// An e-mail over SMTP (libcurl): one message per group of notices to the configured addresses
/// and the people routing chose, subject and body from the `email_subject` / `email_body` templates.
public struct EmailNotifier: Notifier {
    public let name: String
    /// `smtp://host:587` (STARTTLS as `starttls` says) or `smtps://host:465`.
    let server: String
    let from: String
    let to: [String]
    let starttls: CurlMail.STARTTLS
    let username: String?
    let password: String?
    /// A PEM file of CA certificates to trust instead of the system store (a relay with its own CA).
    let caFile: String?
    let language: String
    let timeout: Duration
    let templates: MessageTemplates
    let http: CurlMulti

    public init(name: String = "email", server: String, from: String, to: [String] = [], starttls: CurlMail.STARTTLS = .required,
                username: String? = nil, password: String? = nil, caFile: String? = nil, language: String = "vi",
                timeout: Duration = .seconds(30), templates: MessageTemplates = .builtIn, http: CurlMulti = CurlMulti()) {
        self.name = name
        self.server = server
        self.from = from
        self.to = to
        self.starttls = starttls
        self.username = username
        self.password = password
        self.caFile = caFile
        self.language = language
        self.timeout = timeout
        self.templates = templates
        self.http = http
    }

    public func deliver(_ notices: [AlertNotice], to recipients: [Person]) async throws {
        var seen = Set<String>()
        // A person's address comes from the teams' file: one that could break a header is left out.
        let addresses = (to + recipients.compactMap(\.email)).filter { SettingsCheck.isAddress($0) && seen.insert($0.lowercased()).inserted }
        guard !addresses.isEmpty else { throw DeliveryError("no e-mail address to send to (no `to`, and no recipient has one)") }
        let message = Self.message(from: from, to: addresses, subject: templates.render(.emailSubject, notices, language: language),
                                   body: templates.render(.emailBody, notices, language: language),
                                   id: notices.first?.fingerprint ?? "notice", now: WallClock.nowMs())
        var request = CurlRequest(url: server)
        request.body = message
        request.mail = CurlMail(from: from, recipients: addresses, starttls: starttls, username: username, password: password)
        request.timeout = timeout
        request.connectTimeout = .seconds(10)
        request.caFile = caFile
        request.userAgent = "CommuneWatch-collector"
        do throws(CurlError) {
            _ = try await http.perform(request)
        } catch {
            // The server's own words ("550 5.1.1 <x>: Recipient address rejected") say what to fix.
            let reply = error.partial.replies.last { $0.first == "4" || $0.first == "5" }
            throw DeliveryError("\(server): \(error.message)" + (reply.map { " (server replied \"\($0)\")" } ?? ""))
        }
    }

    /// An RFC 5322 message: UTF-8 text in base64, the subject as RFC 2047 encoded words.
    static func message(from: String, to: [String], subject: String, body: String, id: String, now: TimestampMs) -> [UInt8] {
        let domain = from.split(separator: "@").last.map(String.init) ?? "communewatch"
        let headers = [
            "From: CommuneWatch <\(from)>",
            "To: " + to.joined(separator: ",\r\n "),
            "Subject: " + encodedWords(subject),
            "Date: " + rfc5322Date(now),
            "Message-ID: <\(id).\(now).\(String(UInt32.random(in: 0...UInt32.max), radix: 16))@\(domain)>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: base64",
            // RFC 3834: no vacation replies to an alert.
            "Auto-Submitted: auto-generated",
        ]
        let text = body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n")
        let encoded = Data(text.utf8).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        return Array((headers.joined(separator: "\r\n") + "\r\n\r\n" + encoded + "\r\n").utf8)
    }

    /// RFC 2047 `=?UTF-8?B?…?=` words of 64 characters at most, folded, never splitting a character;
    /// plain ASCII stays as it is.
    static func encodedWords(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { !$0.isASCII || $0.value < 32 }) else { return text }
        var words: [[UInt8]] = []
        var chunk: [UInt8] = []
        for character in text {
            let bytes = Array(String(character).utf8)
            // 39 bytes make 52 base64 characters: with "=?UTF-8?B?", "?=" and "Subject: ", 73 (at most 76).
            if chunk.count + bytes.count > 39 {
                words.append(chunk)
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append(chunk) }
        return words.map { "=?UTF-8?B?" + Data($0).base64EncodedString() + "?=" }.joined(separator: "\r\n ")
    }

    /// `Wed, 02 Dec 2026 08:15:00 +0700`: Vietnam time, as the teams read it.
    static func rfc5322Date(_ ms: TimestampMs) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 7 * 3600)
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }
}
