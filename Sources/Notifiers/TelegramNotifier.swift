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
    let templates: MessageTemplates
    let http: CurlMulti

    /// `api`: the Bot API's address (a stand-in in tests; Telegram's own by default). The text is
    /// the `message` template in `language`.
    public init(name: String = "telegram", token: String, chat: String, api: String = "https://api.telegram.org", language: String = "vi",
                templates: MessageTemplates = .builtIn, http: CurlMulti = CurlMulti()) {
        self.name = name
        self.token = token
        self.chat = chat
        self.api = api
        self.language = language
        self.templates = templates
        self.http = http
    }

    public func deliver(_ notices: [AlertNotice], to recipients: [Person]) async throws {
        let text = templates.render(.message, notices, language: language)
        let body = try JSONSerialization.data(withJSONObject: ["chat_id": chat, "text": text, "disable_web_page_preview": true], options: [.sortedKeys])
        let response = try await JSONPost.send([UInt8](body), to: api + "/bot" + token + "/sendMessage", http: http)
        let reply = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any]
        guard response.status == 200, reply?["ok"] as? Bool == true else {
            // The Bot API says why in "description" (wrong token, bot not in the chat…); never the token itself.
            throw DeliveryError("Telegram answered HTTP \(response.status): \(reply?["description"] as? String ?? "no description")")
        }
    }
}
