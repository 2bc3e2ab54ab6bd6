import Alerting
import Curl
import Foundation
import Testing
import TestSupport
@testable import Notifiers

/// E-mail to a real SMTP server (aiosmtpd) on loopback, parsed back by Python's email package.
@Suite(.ownQueue) struct EmailNotifierTests {
    let http = CurlMulti()
    let anhTuan = Person(name: "anh Tuấn", email: "tuan.nguyen@quangngai.example", phone: "+84905123456")

    func notifier(_ peer: SMTPPeer, starttls: CurlMail.STARTTLS = .off, to: [String] = ["doi-son-tinh@quangngai.example"],
                  login: (String, String)? = nil, language: String = "vi") -> EmailNotifier {
        EmailNotifier(name: "mail-son-tinh", server: peer.url, from: "canhbao@quangngai.example", to: to, starttls: starttls,
                      username: login?.0, password: login?.1, caFile: starttls == .off ? nil : peer.caFile, language: language,
                      timeout: .seconds(15), http: http)
    }

    @Test func aVietnameseMessageArrivesAndReadsBack() async throws {
        let peer = try SMTPPeer()
        let notice = try tanLap(.fired)
        try await notifier(peer).deliver([notice], to: [anhTuan])
        let message = try #require(peer.messages().first)
        #expect(message["mail_from"] as? String == "canhbao@quangngai.example")
        #expect(message["rcpt_tos"] as? [String] == ["doi-son-tinh@quangngai.example", "tuan.nguyen@quangngai.example"])
        let subject = message["subject"] as? String ?? ""
        #expect(subject == "[CommuneWatch] 🔴 SỰ CỐ · UBND xã Tân Lập: Mất đường truyền chuyên dùng tại QNG-TL", "\(subject)")
        let body = message["body"] as? String ?? ""
        for part in ["UBND xã Tân Lập", "Mất đường truyền chuyên dùng tại QNG-TL", "08:15 02/12", "DNS lỗi",
                     "https://cw.quangngai.example/ack/QNG-TL-7f3a"] {
            #expect(body.contains(part), "\(part) missing from the body as read back:\n\(body)")
        }
        let headers = message["headers"] as? [String: String] ?? [:]
        #expect(headers["Subject"]?.hasPrefix("=?UTF-8?B?") == true, "the subject travels as RFC 2047 words: \(headers["Subject"] ?? "")")
        #expect(headers["Content-Type"] == "text/plain; charset=utf-8" && headers["MIME-Version"] == "1.0")
        #expect(headers["Content-Transfer-Encoding"] == "base64")
        #expect(headers["Date"]?.hasSuffix("+0700") == true && headers["Message-ID"]?.hasSuffix("@quangngai.example>") == true, "\(headers)")
        #expect(headers["To"]?.contains("tuan.nguyen@quangngai.example") == true)
        let raw = message["data"] as? String ?? ""
        #expect(raw.split(separator: "\r\n", omittingEmptySubsequences: false).allSatisfy { $0.utf8.count <= 998 }, "RFC 5322 line length")
        #expect(message["tls"] as? Bool == false)
    }

    @Test func aLongSubjectIsFoldedIntoWordsThatDecodeBack() async throws {
        let peer = try SMTPPeer()
        var notice = try tanLap(.acknowledged(by: "chị Lan"), context: NoticeContext(siteName: "UBND xã Tân Lập, huyện Sơn Tịnh, tỉnh Quảng Ngãi (điểm cầu trực tuyến)"))
        notice.rule.annotations["summary_en"] = "Mất đường truyền chuyên dùng – đã chuyển sang 4G dự phòng"
        try await notifier(peer, language: "en").deliver([notice], to: [])
        let message = try #require(peer.messages().first)
        #expect(message["subject"] as? String == MessageTemplates.builtIn.render(.emailSubject, [notice], language: "en"))
        let raw = message["data"] as? String ?? ""
        let subjectLines = raw.components(separatedBy: "\r\n").drop { !$0.hasPrefix("Subject:") }.prefix { $0.hasPrefix("Subject:") || $0.hasPrefix(" ") }
        #expect(subjectLines.count > 2 && subjectLines.allSatisfy { $0.count <= 76 }, "\(subjectLines)")
    }

    @Test func starttlsRequiredWithALogin() async throws {
        let peer = try SMTPPeer(starttls: true, auth: "canhbao:mat-khau-2026")
        try await notifier(peer, starttls: .required, login: ("canhbao", "mat-khau-2026")).deliver([try tanLap(.fired)], to: [])
        let message = try #require(peer.messages().first)
        #expect(message["tls"] as? Bool == true && message["login"] as? String == "canhbao")
        #expect((message["subject"] as? String)?.contains("UBND xã Tân Lập") == true)

        let wrong = await #expect(throws: DeliveryError.self) {
            try await notifier(peer, starttls: .required, login: ("canhbao", "sai")).deliver([try tanLap(.fired)], to: [])
        }
        #expect(wrong?.description.contains("535") == true, "the server's refusal of the login: \(wrong?.description ?? "")")
        #expect(wrong?.description.contains("sai") == false, "no password in the error")
    }

    @Test func smtpsIsTLSFromTheStartAndChecksTheCertificate() async throws {
        let peer = try SMTPPeer(implicitTLS: true, auth: "canhbao:mat-khau-2026")
        try await notifier(peer, starttls: .required, login: ("canhbao", "mat-khau-2026")).deliver([try tanLap(.resolved)], to: [])
        let message = try #require(peer.messages().first)
        #expect(message["tls"] as? Bool == true && message["login"] as? String == "canhbao", "\(message)")
        #expect((message["subject"] as? String)?.contains("ĐÃ KHÔI PHỤC") == true)
        // Without the relay's CA the certificate is not trusted: nothing is sent.
        let untrusted = EmailNotifier(name: "m", server: peer.url, from: "canhbao@quangngai.example", to: ["a@quangngai.example"],
                                      username: "canhbao", password: "mat-khau-2026", timeout: .seconds(10), http: http)
        let error = await #expect(throws: DeliveryError.self) { try await untrusted.deliver([try tanLap(.fired)], to: []) }
        #expect(error?.description.contains("certificate") == true, "\(error?.description ?? "")")
        #expect(peer.messages().count == 1)
    }

    @Test func starttlsRequiredAgainstAServerWithoutItIsRefusedBeforeAnythingIsSent() async throws {
        let plain = try SMTPPeer()
        let error = await #expect(throws: DeliveryError.self) {
            try await notifier(plain, starttls: .required).deliver([try tanLap(.fired)], to: [])
        }
        #expect(error?.description.contains("STARTTLS") == true || error?.description.lowercased().contains("ssl") == true, "\(error?.description ?? "")")
        #expect(plain.messages().isEmpty)
        // "try" goes on in clear with a server that has no STARTTLS.
        try await notifier(plain, starttls: .try).deliver([try tanLap(.fired)], to: [])
        #expect(plain.messages().count == 1)
    }

    @Test func aRefusedRecipientIsAClearError() async throws {
        let peer = try SMTPPeer()
        let error = await #expect(throws: DeliveryError.self) {
            try await notifier(peer, to: ["doi-son-tinh@quangngai.example", "refused.old@quangngai.example"]).deliver([try tanLap(.fired)], to: [])
        }
        let text = error?.description ?? ""
        #expect(text.contains("550") && text.contains("refused.old@quangngai.example") && text.contains("Recipient address rejected"), "\(text)")
        #expect(peer.messages().isEmpty, "nothing is half-sent")
    }

    @Test func noAddressAtAllIsAClearError() async throws {
        let peer = try SMTPPeer()
        let error = await #expect(throws: DeliveryError.self) { try await notifier(peer, to: []).deliver([try tanLap(.fired)], to: [Person(name: "x")]) }
        #expect(error?.description.contains("no e-mail address") == true)
    }

    /// The mail server is down when the alert comes: retried with backoff, delivered once when it is up.
    @Test func anUnreachableServerIsRetriedUntilItIsUp() async throws {
        let port = try freeLoopbackPort()
        let mail = EmailNotifier(name: "mail-son-tinh", server: "smtp://127.0.0.1:\(port)", from: "canhbao@quangngai.example",
                                 to: ["doi-son-tinh@quangngai.example"], starttls: .off, timeout: .seconds(5), http: http)
        let direct = await #expect(throws: DeliveryError.self) { try await mail.deliver([try tanLap(.fired)], to: []) }
        #expect(direct?.description.contains("smtp://127.0.0.1:\(port)") == true && direct?.description.contains("onnect") == true,
                "\(direct?.description ?? "")")

        let queue = DeliveryQueue(notifiers: [mail], maxBackoff: .milliseconds(500))
        await queue.send([try tanLap(.fired)])
        #expect(await eventually(15) { await queue.log.filter { $0.error != nil }.count >= 2 }, "retried while the server is down")
        let peer = try SMTPPeer(port: port)
        #expect(await eventually(15) { await queue.log.contains { $0.error == nil } }, "delivered once the server is up")
        try await Task.sleep(for: .seconds(2))
        #expect(peer.messages().count == 1, "delivered once: \(peer.messages().count)")
        let log = await queue.log
        #expect(log.last?.error == nil && log.last?.receiver == "mail-son-tinh" && log.last?.attempt == log.count, "\(log)")
        await queue.stop()
    }
}
