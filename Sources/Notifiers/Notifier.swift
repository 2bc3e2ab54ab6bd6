import Alerting
import WatchModel

/// One way of telling a team: a webhook, Telegram, e-mail, an SMS gateway, an Alertmanager.
public protocol Notifier: Sendable {
    /// The receiver's name in the delivery log.
    var name: String { get }
    /// Delivers the notices (one group) or throws why not; the queue retries.
    func deliver(_ notices: [AlertNotice]) async throws
}

/// A receiver that answered, but not with success.
public struct DeliveryError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
