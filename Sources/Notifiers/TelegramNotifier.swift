import Alerting
import Curl
import Foundation
import WatchModel

/// A message to a Telegram chat (a team's group) through the Bot API's `sendMessage`.
public struct TelegramNotifier: Notifier {
    public let name: String
    let token: String
    let chat: String
    let api: String
    let language: String
    let http: CurlMulti

    /// `api`: the Bot API's address (a stand-in in tests; Telegram's own by default).
    public init(name: String = "telegram", token: String, chat: String, api: String = "https://api.telegram.org", language: String = "vi",
                http: CurlMulti = CurlMulti()) {
        self.name = name
        self.token = token
        self.chat = chat
        self.api = api
        self.language = language
        self.http = http
    }

    public func deliver(_ notices: [AlertNotice], to recipients: [Person]) async throws {
        let text = notices.map { $0.message(language: language) }.joined(separator: "\n\n")
        let body = try JSONSerialization.data(withJSONObject: ["chat_id": chat, "text": text, "disable_web_page_preview": true], options: [.sortedKeys])
        let response = try await JSONPost.send([UInt8](body), to: api + "/bot" + token + "/sendMessage", http: http)
        let reply = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any]
        guard response.status == 200, reply?["ok"] as? Bool == true else {
            // The Bot API says why in "description" (wrong token, bot not in the chat…); never the token itself.
            throw DeliveryError("Telegram answered HTTP \(response.status): \(reply?["description"] as? String ?? "no description")")
        }
    }
}

extension AlertNotice {
    /// One message in plain words: what, where, since when (Vietnam time), how bad.
    public func message(language: String) -> String {
        let vi = language == "vi"
        let summary = text("summary", language: language) ?? rule.name
        let mark: String = switch change {
        case .fired: rule.severity == .critical ? "🔴" : "🟠"
        case .resolved, .settled(firing: false): "✅"
        case .acknowledged: "👤"
        case .startedFlapping, .settled(firing: true): "🔁"
        }
        let state: String = switch change {
        case .fired: vi ? "SỰ CỐ" : "ALERT"
        case .resolved: vi ? "ĐÃ KHÔI PHỤC" : "RESOLVED"
        case let .acknowledged(by): (vi ? "ĐÃ NHẬN XỬ LÝ: " : "ACKNOWLEDGED by ") + by
        case .startedFlapping: vi ? "CHẬP CHỜN (tạm không báo từng lần)" : "FLAPPING (not told each time)"
        case let .settled(firing): firing ? (vi ? "HẾT CHẬP CHỜN, VẪN LỖI" : "SETTLED, STILL DOWN") : (vi ? "HẾT CHẬP CHỜN, ĐÃ ỔN" : "SETTLED, OK")
        }
        let place = labels["site"] ?? labels["upstream"] ?? ""
        return "\(mark) \(state) · \(place)\n\(summary)\n" + (vi ? "Từ " : "Since ") + Self.vietnamTime(since)
    }

    /// `HH:mm dd/MM` in Vietnam (UTC+7, no daylight saving), as the teams read the clock.
    static func vietnamTime(_ ms: TimestampMs) -> String {
        let formatter = DateFormatter()
        formatter.timeZone = TimeZone(secondsFromGMT: 7 * 3600)
        formatter.dateFormat = "HH:mm dd/MM"
        return formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }
}
