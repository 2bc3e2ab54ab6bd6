import Alerting

/// One way of telling a team: a webhook, Telegram, e-mail, an SMS gateway, an Alertmanager.
public protocol Notifier: Sendable {
    /// The receiver's name in the delivery log.
    var name: String { get }
    /// Delivers the notices (one group) or throws why not; the queue retries. `recipients` are
    /// the people routing chose (the team's on-call person, an escalation's lead): channels that
    /// address people (e-mail, SMS) write to them as well as to their own configured addresses;
    /// channels that post to one place (a webhook, a team's Telegram group) ignore them.
    func deliver(_ notices: [AlertNotice], to recipients: [Person]) async throws
}

/// A receiver that answered, but not with success.
public struct DeliveryError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
