import Alerting
import Curl
import Foundation
import Testing
import TestSupport
import WatchModel
@testable import Notifiers

/// Forwarding to a real Alertmanager (Debian's prometheus-alertmanager) on loopback, read back
/// through its own API.
@Suite(.ownQueue) struct AlertmanagerNotifierTests {
    let http = CurlMulti()

    func get(_ url: String) async throws -> (status: Int, body: String) {
        var request = CurlRequest(url: url)
        request.timeout = .seconds(5)
        let response = try await http.perform(request)
        return (response.status, String(decoding: response.body, as: UTF8.self))
    }

    func alerts(_ am: AlertmanagerPeer) async throws -> [[String: Any]] {
        let reply = try await get(am.url + "/api/v2/alerts")
        return (try? JSONSerialization.jsonObject(with: Data(reply.body.utf8))) as? [[String: Any]] ?? []
    }

    func ours(_ list: [[String: Any]], site: String) -> [String: Any]? {
        list.first { ($0["labels"] as? [String: String])?["site"] == site }
    }

    static func date(_ text: String?) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return text.flatMap { formatter.date(from: $0) }
    }

    @Test func aFiringThenResolvedNoticeIsVisibleThroughTheAPI() async throws {
        let am = try AlertmanagerPeer()
        defer { am.stop() }
        #expect(await eventually(30) { (try? await get(am.url + "/-/ready"))?.status == 200 }, "Alertmanager did not start: \(am.log)")
        let spec = ReceiverSpec(name: "am-tinh", kind: .alertmanager, settings: ["url": am.url + "/"], origin: "alerts/routing.yml:40")
        let forward = try ReceiverFactory.notifier(for: spec, templates: .builtIn, http: http)

        let now = WallClock.nowMs()
        var fired = try tanLap(.fired)
        fired.since = now - 60_000
        fired.at = now
        try await forward.deliver([fired], to: [])
        let listed = try await alerts(am)
        let active = try #require(ours(listed, site: "QNG-TL"), "not in Alertmanager: \(listed)")
        let labels = active["labels"] as? [String: String] ?? [:]
        #expect(labels == ["alertname": "DedicatedLineDown", "severity": "critical", "site": "QNG-TL", "path": "dedicated", "team": "son-tinh"], "\(labels)")
        let annotations = active["annotations"] as? [String: String] ?? [:]
        #expect(annotations["summary_vi"] == "Mất đường truyền chuyên dùng tại QNG-TL" && annotations["summary_en"] == "Dedicated line down at QNG-TL")
        #expect(annotations["site_name"] == "UBND xã Tân Lập" && annotations["acknowledge_url"] == "https://cw.quangngai.example/ack/QNG-TL-7f3a")
        #expect(annotations["communewatch_change"] == "fired")
        #expect((active["status"] as? [String: Any])?["state"] as? String == "active")
        #expect(active["generatorURL"] as? String == "https://cw.quangngai.example/ack/QNG-TL-7f3a")
        let startsAt = try #require(Self.date(active["startsAt"] as? String))
        #expect(abs(startsAt.timeIntervalSince1970 * 1000 - Double(now - 60_000)) < 1000)
        // Held a day: not resolved by Alertmanager's resolve_timeout while we send no news.
        let endsAt = try #require(Self.date(active["endsAt"] as? String))
        #expect(endsAt.timeIntervalSinceNow > 23 * 3600, "\(active["endsAt"] ?? "")")

        // Taken by someone: still active, the change in its annotations, startsAt kept.
        var taken = fired
        taken.change = .acknowledged(by: "anh Tuấn")
        taken.at = WallClock.nowMs()
        try await forward.deliver([taken], to: [])
        let acknowledged = try #require(ours(try await alerts(am), site: "QNG-TL"))
        #expect((acknowledged["annotations"] as? [String: String])?["communewatch_change"] == "acknowledged")
        #expect((acknowledged["status"] as? [String: Any])?["state"] as? String == "active")
        #expect(Self.date(acknowledged["startsAt"] as? String) == startsAt)

        var resolved = fired
        resolved.change = .resolved
        resolved.at = WallClock.nowMs()
        try await forward.deliver([resolved], to: [])
        let after = ours(try await alerts(am), site: "QNG-TL")
        if let after {
            // Still listed: then it must say it is over.
            let state = (after["status"] as? [String: Any])?["state"] as? String
            let end = Self.date(after["endsAt"] as? String) ?? .distantFuture
            #expect(state != "active" || end <= Date(), "still active after resolution: \(after)")
        }
        print("alertmanager: after resolution the alert is \(after == nil ? "gone from the active list" : "listed as ended")")
    }

    @Test func whatAlertmanagerRefusesIsAClearError() async throws {
        let am = try AlertmanagerPeer()
        defer { am.stop() }
        #expect(await eventually(30) { (try? await get(am.url + "/-/ready"))?.status == 200 }, "Alertmanager did not start: \(am.log)")
        let forward = AlertmanagerNotifier(name: "am", url: am.url, http: http)
        var bad = try tanLap(.fired)
        bad.labels["bad label name"] = "x"
        let error = await #expect(throws: DeliveryError.self) { try await forward.deliver([bad], to: []) }
        #expect(error?.description.contains("HTTP 400") == true, "\(error?.description ?? "")")

        let gone = AlertmanagerNotifier(name: "am", url: "http://127.0.0.1:\(try freeLoopbackPort())", http: http)
        await #expect(throws: CurlError.self) { try await gone.deliver([try tanLap(.fired)], to: []) }
    }
}
