import Alerting
import Curl
import Foundation
import WatchModel

/// Forwards notices to an Alertmanager the province already runs, through its v2 API
/// (`POST /api/v2/alerts`), so its routes, silences and receivers take over from there.
///
/// Alertmanager expects clients to resend firing alerts on every evaluation and resolves an alert
/// it has not heard of for `resolve_timeout` (5 minutes by default). CommuneWatch sends changes
/// only, so a firing alert carries `endsAt` a day ahead: it stays active until we say it is
/// resolved (`endsAt` = the resolve time), and only a collector that went away for a day lets it
/// lapse on its own.
public struct AlertmanagerNotifier: Notifier {
    public let name: String
    /// The Alertmanager's base address (`http://alertmanager:9093`).
    let url: String
    /// Extra headers, `Name: value` (a proxy's credentials).
    let headers: [String]
    /// Where an alert links to when it has no acknowledge page.
    let externalURL: String?
    let http: CurlMulti

    /// How long a firing alert stays active without news from us.
    public static let firingHold: Int64 = 24 * 3_600_000

    public init(name: String = "alertmanager", url: String, headers: [String] = [], externalURL: String? = nil, http: CurlMulti = CurlMulti()) {
        self.name = name
        self.url = url.hasSuffix("/") ? String(url.dropLast()) : url
        self.headers = headers
        self.externalURL = externalURL
        self.http = http
    }

    public func deliver(_ notices: [AlertNotice], to recipients: [Person]) async throws {
        let body = try Self.payload(notices, now: WallClock.nowMs(), externalURL: externalURL)
        let response = try await JSONPost.send(body, to: url + "/api/v2/alerts", headers: headers, http: http)
        guard (200..<300).contains(response.status) else {
            // Alertmanager says what it did not accept ("labels: invalid label set…").
            throw DeliveryError("\(url) answered HTTP \(response.status): \(String(decoding: response.body.prefix(300), as: UTF8.self))")
        }
    }

    /// The v2 API's postable alerts: one per notice.
    static func payload(_ notices: [AlertNotice], now: TimestampMs, externalURL: String?) throws -> [UInt8] {
        let alerts: [[String: Any]] = notices.map { n in
            var annotations = n.filledAnnotations
            annotations["communewatch_change"] = n.changeName
            if let name = n.context.siteName { annotations["site_name"] = name }
            if !n.context.alsoAffected.isEmpty { annotations["also_affected"] = n.context.alsoAffected.joined(separator: "; ") }
            if let link = n.context.acknowledgeURL { annotations["acknowledge_url"] = link }
            var alert: [String: Any] = [
                "labels": n.alertLabels,
                "annotations": annotations,
                "startsAt": Timestamp.rfc3339(n.since),
                "endsAt": Timestamp.rfc3339(n.firing ? max(now, n.at) + firingHold : min(n.at, now)),
            ]
            if let link = n.context.acknowledgeURL ?? externalURL, !link.isEmpty { alert["generatorURL"] = link }
            return alert
        }
        return [UInt8](try JSONSerialization.data(withJSONObject: alerts, options: [.sortedKeys]))
    }
}
