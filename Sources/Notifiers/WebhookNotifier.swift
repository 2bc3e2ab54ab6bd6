import Alerting
import Curl
import Foundation
import WatchModel

/// POSTs the Alertmanager v4 webhook payload, so receivers written for Alertmanager work unchanged.
public struct WebhookNotifier: Notifier {
    public let name: String
    let url: String
    let externalURL: String
    let http: CurlMulti

    public init(name: String = "webhook", url: String, externalURL: String = "", http: CurlMulti = CurlMulti()) {
        self.name = name
        self.url = url
        self.externalURL = externalURL
        self.http = http
    }

    public func deliver(_ notices: [AlertNotice], to recipients: [Person]) async throws {
        let response = try await JSONPost.send(try Self.payload(notices, receiver: name, externalURL: externalURL), to: url, http: http)
        guard (200..<300).contains(response.status) else {
            throw DeliveryError("\(url) answered HTTP \(response.status)")
        }
    }

    /// Alertmanager's webhook body (version 4): one alert per notice.
    static func payload(_ notices: [AlertNotice], receiver: String, externalURL: String) throws -> [UInt8] {
        let alerts: [[String: Any]] = notices.map { n in
            var annotations = n.filledAnnotations
            annotations["communewatch_change"] = n.changeName
            if let office = n.context.office { annotations["communewatch_office"] = office.rawValue }
            if let link = n.context.acknowledgeURL { annotations["communewatch_acknowledge_url"] = link }
            return [
                "status": n.firing ? "firing" : "resolved",
                "labels": n.alertLabels,
                "annotations": annotations,
                "startsAt": Timestamp.rfc3339(n.since),
                "endsAt": n.firing ? "0001-01-01T00:00:00Z" : Timestamp.rfc3339(n.at),
                "generatorURL": externalURL,
                "fingerprint": n.fingerprint,
            ]
        }
        let common = notices.dropFirst().reduce(notices.first?.alertLabels ?? [:]) { common, n in common.filter { n.alertLabels[$0.key] == $0.value } }
        let body: [String: Any] = [
            "version": "4",
            "groupKey": "{}:" + (notices.first?.rule.name ?? ""),
            "truncatedAlerts": 0,
            "status": notices.contains { $0.firing } ? "firing" : "resolved",
            "receiver": receiver,
            "groupLabels": ["alertname": notices.first?.rule.name ?? ""],
            "commonLabels": common,
            "commonAnnotations": [String: String](),
            "externalURL": externalURL,
            "alerts": alerts,
        ]
        return [UInt8](try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]))
    }
}

extension AlertNotice {
    /// Stable per incident key, as Alertmanager's fingerprint is per label set.
    public var fingerprint: String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return String(hash, radix: 16)
    }
}

/// RFC 3339 in UTC, as Alertmanager writes times.
enum Timestamp {
    static func rfc3339(_ ms: TimestampMs) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }
}
