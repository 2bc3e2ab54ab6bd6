import Alerting
import Curl
import Foundation
import Testing
import TestSupport
@testable import Notifiers

/// Receivers as the routing file declares them: each kind builds, each wrong setting is named.
@Suite(.ownQueue) struct ReceiverFactoryTests {
    let http = CurlMulti()

    static let valid: [ReceiverSpec.Kind: [String: String]] = [
        .webhook: ["url": "http://127.0.0.1:9/hook"],
        .telegram: ["token": "123456:ABC-test", "chat": "-1001234567890"],
        .email: ["smtp": "smtp://mail.quangngai.example:587", "from": "canhbao@quangngai.example", "to": "doi1@quangngai.example, doi2@quangngai.example"],
        .gateway: ["url": "https://sms.example.vn/send?to={{phone}}", "to": "+84905111222"],
        .alertmanager: ["url": "http://127.0.0.1:9093"],
    ]

    func build(_ kind: ReceiverSpec.Kind, _ settings: [String: String]) throws -> any Notifier {
        try ReceiverFactory.notifier(for: ReceiverSpec(name: "team-1-\(kind.rawValue)", kind: kind, settings: settings, origin: "alerts/routing.yml:12"),
                                     templates: .builtIn, http: http)
    }

    func error(_ kind: ReceiverSpec.Kind, _ settings: [String: String]) -> ReceiverError? {
        #expect(throws: ReceiverError.self) { try build(kind, settings) }
    }

    @Test func everyKindBuildsFromItsSettings() throws {
        let types: [ReceiverSpec.Kind: any Notifier.Type] = [.webhook: WebhookNotifier.self, .telegram: TelegramNotifier.self, .email: EmailNotifier.self,
                                                             .gateway: GatewayNotifier.self, .alertmanager: AlertmanagerNotifier.self]
        for kind in ReceiverSpec.Kind.allCases {
            let notifier = try build(kind, try #require(Self.valid[kind]))
            #expect(type(of: notifier) == types[kind]!, "\(kind)")
            #expect(notifier.name == "team-1-\(kind.rawValue)")
        }
        let mail = try #require(try build(.email, Self.valid[.email]!) as? EmailNotifier)
        #expect(mail.to == ["doi1@quangngai.example", "doi2@quangngai.example"] && mail.starttls == .required && mail.language == "vi")
    }

    @Test func eachMissingSettingIsNamed() throws {
        for kind in ReceiverSpec.Kind.allCases {
            let settings = try #require(Self.valid[kind])
            let required = ["url", "token", "chat", "smtp", "from"].filter { settings[$0] != nil }
            #expect(!required.isEmpty)
            for key in required {
                var without = settings
                without[key] = nil
                let failure = try #require(error(kind, without), "\(kind) without \(key)")
                #expect(failure.setting == key && failure.receiver == "team-1-\(kind.rawValue)" && failure.origin == "alerts/routing.yml:12")
                #expect(failure.description == "alerts/routing.yml:12: receiver \"team-1-\(kind.rawValue)\" (\(kind.rawValue)): setting `\(key)` is missing",
                        "\(failure)")
            }
        }
    }

    @Test func wrongSettingsSayWhatWasExpected() throws {
        let cases: [(ReceiverSpec.Kind, [String: String], String, String)] = [
            (.webhook, ["url": "ftp://x/hook"], "url", "expected an http:// or https:// address"),
            (.telegram, ["token": "no-colon", "chat": "1"], "token", "BotFather"),
            (.telegram, ["token": "1:a", "chat": "1", "language": "fr"], "language", "expected vi or en"),
            (.email, ["smtp": "http://mail:25", "from": "a@b.vn"], "smtp", "expected smtp://HOST:587"),
            (.email, ["smtp": "smtp://mail:25", "from": "canh bao"], "from", "expected an e-mail address"),
            (.email, ["smtp": "smtp://mail:25", "from": "a@b.vn", "to": "x@y.vn, not-an-address"], "to", "not-an-address"),
            (.email, ["smtp": "smtp://mail:25", "from": "a@b.vn", "starttls": "yes"], "starttls", "expected required, try, off"),
            (.email, ["smtp": "smtp://mail:25", "from": "a@b.vn", "username": "u"], "password", "needs both"),
            (.email, ["smtp": "smtp://mail:25", "from": "a@b.vn", "ca_file": "/nonexistent/ca.pem"], "ca_file", "no readable file"),
            (.email, ["smtp": "smtp://mail:25", "from": "a@b.vn", "timeout": "0"], "timeout", "from 1 to 600"),
            (.gateway, ["url": "sms.example.vn/send"], "url", "http://"),
            (.gateway, ["url": "https://sms.example.vn", "method": "DELETE"], "method", "expected GET, POST, PUT or PATCH"),
            (.gateway, ["url": "https://sms.example.vn", "to": "0905 abc"], "to", "phone numbers"),
            (.gateway, ["url": "https://sms.example.vn", "max_chars": "ten"], "max_chars", "whole number"),
            (.gateway, ["url": "https://sms.example.vn", "body": "{{#text}}unclosed"], "body", "not a valid template"),
            (.gateway, ["url": "https://sms.example.vn", "header_X Key": "v"], "header_X Key", "header_NAME"),
            (.alertmanager, ["url": "http://am:9093", "tocken": "x"], "tocken", "expected one of external_url, url, header_NAME"),
            (.webhook, ["url": "http://x/hook", "chat": "1"], "chat", "not a setting of a webhook receiver"),
        ]
        for (kind, settings, setting, expected) in cases {
            let failure = try #require(error(kind, settings), "\(kind) \(settings)")
            #expect(failure.setting == setting, "\(failure)")
            #expect(failure.description.contains(expected) && failure.description.hasPrefix("alerts/routing.yml:12: receiver \"team-1-"), "\(failure)")
        }
    }

    /// The factory's Telegram notifier speaks through the templates it was given.
    @Test func telegramUsesTheTemplatesItIsGiven() async throws {
        let peer = try WebhookPeer()
        try peer.set(reply: #"{"ok":true,"result":{"message_id":1}}"#)
        let dir = scratchDirectory("templates")
        try "{{#notices}}[{{site}}] {{summary}} — {{since}}{{/notices}}\n".write(toFile: dir + "/message.en.mustache", atomically: true, encoding: .utf8)
        let telegram = try ReceiverFactory.notifier(
            for: ReceiverSpec(name: "tg", kind: .telegram, settings: ["token": "1:x", "chat": "-42", "api": peer.receiverURL, "language": "en"]),
            templates: try MessageTemplates(directory: dir), http: http)
        try await telegram.deliver([try tanLap(.fired)], to: [])
        let body = (try? JSONSerialization.jsonObject(with: Data((peer.requestDetails().first?.body ?? "").utf8))) as? [String: Any] ?? [:]
        #expect(body["text"] as? String == "[UBND xã Tân Lập] Dedicated line down at QNG-TL — 08:15 02/12" && body["chat_id"] as? String == "-42", "\(body)")
    }
}
