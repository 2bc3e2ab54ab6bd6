/// Someone on a mobile team, with the addresses the channels reach them at.
public struct Person: Sendable, Hashable {
    public var name: String
    public var email: String?
    /// For SMS and Zalo gateways, in international form (+84…).
    public var phone: String?
    /// A Telegram user or chat id, for a direct message.
    public var telegram: String?

    public init(name: String, email: String? = nil, phone: String? = nil, telegram: String? = nil) {
        self.name = name
        self.email = email
        self.phone = phone
        self.telegram = telegram
    }
}
