import Alerting
import Curl
import Foundation
import Testing
import TestSupport
@testable import Notifiers

/// SMS / Zalo through an HTTP gateway: a local server records each request.
@Suite(.ownQueue) struct GatewayNotifierTests {
    let http = CurlMulti()
    let anhTuan = Person(name: "anh Tuấn", email: "tuan@quangngai.example", phone: "+84905123456")

    func gateway(_ peer: WebhookPeer, _ settings: [String: String]) throws -> any Notifier {
        var all = ["url": peer.receiverURL + "/sms/send?to={{phone}}", "to": "+84905111222"]
        all.merge(settings) { _, new in new }
        return try ReceiverFactory.notifier(for: ReceiverSpec(name: "sms-son-tinh", kind: .gateway, settings: all, origin: "alerts/routing.yml:30"),
                                            templates: .builtIn, http: http)
    }

    func json(_ text: String) -> [String: String] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: String] ?? [:]
    }

    @Test func oneRequestPerPhoneWithTheTextTheHeaderAndThePhoneInTheAddress() async throws {
        let peer = try WebhookPeer()
        let sms = try gateway(peer, ["body": #"{"to":"{{phone_json}}","message":"{{text_json}}"}"#, "header_X-Api-Key": "k-2026-son-tinh"])
        try await sms.deliver([try tanLap(.fired)], to: [Person(name: "anh Tuấn", phone: "+84 905-123.456"), Person(name: "no phone"),
                                                        Person(name: "twice", phone: "+84905111222")])
        let requests = peer.requestDetails()
        #expect(requests.count == 2)
        #expect(requests.map(\.method) == ["POST", "POST"])
        #expect(requests.map(\.path) == ["/sms/send?to=%2B84905111222", "/sms/send?to=%2B84905123456"], "\(requests.map(\.path))")
        for request in requests {
            #expect(request.headers["X-Api-Key"] == "k-2026-son-tinh" && request.headers["Content-Type"] == "application/json", "\(request.headers)")
        }
        let first = json(requests[0].body)
        #expect(first["to"] == "+84905111222" && json(requests[1].body)["to"] == "+84905123456", "\(requests[0].body)")
        let text = first["message"] ?? ""
        #expect(text == MessageTemplates.builtIn.render(.message, [try tanLap(.fired)], language: "vi"))
        #expect(text.contains("UBND xã Tân Lập") && text.contains("Mất đường truyền chuyên dùng tại QNG-TL") && text.contains("Từ 08:15 02/12")
                && text.contains("https://cw.quangngai.example/ack/QNG-TL-7f3a"), "\(text)")
    }

    @Test func aFormBodyAndAnotherMethod() async throws {
        let peer = try WebhookPeer()
        let zalo = try gateway(peer, ["url": peer.receiverURL + "/zalo", "method": "PUT", "body": "phone={{phone_form}}&text={{text_form}}",
                                      "content_type": "application/x-www-form-urlencoded", "language": "en"])
        try await zalo.deliver([try tanLap(.resolved)], to: [])
        let request = try #require(peer.requestDetails().first)
        #expect(request.method == "PUT" && request.path == "/zalo" && request.headers["Content-Type"] == "application/x-www-form-urlencoded")
        var form: [String: String] = [:]
        for pair in request.body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            form[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        #expect(form["phone"] == "+84905111222", "\(request.body)")
        #expect(form["text"] == MessageTemplates.builtIn.render(.message, [try tanLap(.resolved)], language: "en"), "\(request.body)")
    }

    @Test func aGETCarriesTheTextInTheAddress() async throws {
        let peer = try WebhookPeer()
        let sms = try gateway(peer, ["url": peer.receiverURL + "/send?phone={{phone}}&msg={{text}}", "method": "GET"])
        try await sms.deliver([try tanLap(.fired)], to: [])
        let request = try #require(peer.requestDetails().first)
        #expect(request.method == "GET" && request.body.isEmpty)
        let query = URLComponents(string: request.path)?.queryItems ?? []
        #expect(query.first { $0.name == "phone" }?.value == "+84905111222")
        #expect(query.first { $0.name == "msg" }?.value == MessageTemplates.builtIn.render(.message, [try tanLap(.fired)], language: "vi"))
    }

    @Test func aLongTextIsCutButKeepsTheLink() async throws {
        let peer = try WebhookPeer()
        let sms = try gateway(peer, ["max_chars": "160"])
        var notice = try tanLap(.fired)
        notice.context.alsoAffected = (1...12).map { "Máy in số \($0) ở bộ phận một cửa không phản hồi" }
        try await sms.deliver([notice], to: [])
        let text = json(try #require(peer.requestDetails().first).body)["text"] ?? ""
        #expect(text.utf16.count <= 160, "\(text.utf16.count): \(text)")
        #expect(text.hasPrefix("🔴 SỰ CỐ · UBND xã Tân Lập\nMất đường truyền chuyên dùng tại QNG-TL"), "\(text)")
        #expect(text.hasSuffix("…\nhttps://cw.quangngai.example/ack/QNG-TL-7f3a"), "\(text)")
    }

    @Test func aGatewayAnswering500IsRetriedAndEachPhoneGetsItOnce() async throws {
        let peer = try WebhookPeer()
        try peer.set(mode: "error")
        let sms = try gateway(peer, [:])
        let direct = await #expect(throws: DeliveryError.self) { try await sms.deliver([try tanLap(.fired)], to: []) }
        #expect(direct?.description.contains("+84905111222: HTTP 500") == true, "\(direct?.description ?? "")")

        let queue = DeliveryQueue(notifiers: [sms], maxBackoff: .milliseconds(400))
        await queue.send([try tanLap(.acknowledged(by: "anh Tuấn"))])
        #expect(await eventually(15) { peer.requestDetails().filter { $0.answered == 500 }.count >= 3 }, "retried")
        try peer.set(mode: "ok")
        #expect(await eventually(15) { await queue.log.contains { $0.error == nil } })
        try await Task.sleep(for: .seconds(1.5))
        let delivered = peer.requestDetails().filter { $0.answered == 200 }
        #expect(delivered.count == 1, "\(delivered.count)")
        #expect(json(delivered.first?.body ?? "")["text"]?.contains("ĐÃ NHẬN XỬ LÝ: anh Tuấn") == true)
        #expect(await queue.log.contains { $0.error?.contains("HTTP 500") == true })
        await queue.stop()
    }

    /// One phone's request fails: the retry (the queue calls `deliver` again) goes to that phone
    /// only, so each phone gets the message once.
    @Test func aRetryAfterAPartialFailureReachesOnlyThePhonesNotYetReached() async throws {
        let peer = try WebhookPeer()
        try peer.set(mode: "error-if:84905123456")
        let sms = try gateway(peer, [:])
        let error = await #expect(throws: DeliveryError.self) { try await sms.deliver([try tanLap(.fired)], to: [anhTuan]) }
        #expect(error?.description.contains("+84905123456: HTTP 500") == true && error?.description.contains("+84905111222") == false,
                "\(error?.description ?? "")")
        try peer.set(mode: "ok")
        try await sms.deliver([try tanLap(.fired)], to: [anhTuan])
        let requests = peer.requestDetails()
        #expect(requests.filter { $0.path.hasSuffix("84905111222") }.map(\.answered) == [200], "\(requests.map(\.path))")
        #expect(requests.filter { $0.path.hasSuffix("84905123456") }.map(\.answered) == [500, 200], "\(requests.map(\.path))")
        // A new change of the same incident is news again for everyone.
        try await sms.deliver([try tanLap(.resolved)], to: [anhTuan])
        #expect(peer.requestDetails().count == 5)
    }

    @Test func aGatewayThatSays200ButNotSentIsAFailure() async throws {
        let peer = try WebhookPeer()
        try peer.set(reply: #"{"status":"failed","reason":"insufficient balance"}"#)
        let sms = try gateway(peer, ["success_match": #""status":"sent""#])
        let error = await #expect(throws: DeliveryError.self) { try await sms.deliver([try tanLap(.fired)], to: []) }
        #expect(error?.description.contains("insufficient balance") == true, "\(error?.description ?? "")")
        try peer.set(reply: #"{"status":"sent","id":"a1"}"#)
        try await sms.deliver([try tanLap(.fired)], to: [])
    }
}
