/// A receiver as the routing file declares it: a name the routes refer to, the kind of channel,
/// and its settings as written (the Notifiers module turns it into a working notifier and says
/// what is missing or wrong).
public struct ReceiverSpec: Sendable, Hashable {
    /// The channels CommuneWatch can deliver to.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case webhook, telegram, email, gateway, alertmanager
    }

    public var name: String
    public var kind: Kind
    /// Scalar settings (`url`, `chat`, `token`, `to`, `smtp`, `language`, `body`, …) as strings.
    public var settings: [String: String]
    /// Where it was declared ("alerts/routing.yml:12"), for error messages.
    public var origin: String

    public init(name: String, kind: Kind, settings: [String: String], origin: String = "") {
        self.name = name
        self.kind = kind
        self.settings = settings
        self.origin = origin
    }
}
