@testable import CollectorServer
import Foundation
import Hummingbird
import Storage
import Testing
import TestSupport
import WatchModel

/// The pages' stand-in access and shared helpers, without a server.
@Suite(.ownThread) struct PageAccessTests {
    func request(_ path: String, headers: HTTPFields = [:]) -> Request {
        Request(head: HTTPRequest(method: .get, scheme: "http", authority: "collector", path: path, headerFields: headers),
                body: RequestBody(buffer: ByteBuffer()))
    }

    @Test func onlyStaffAndTheAdminTokenSeeThePages() async throws {
        let store = MemoryStore()
        let token = try #require(try await store.firstAdminToken())
        let pages: any PageAccess = StaffAuthentication(access: store, staff: store, idleMs: 3_600_000, secureCookie: false)
        #expect(try await pages.viewer(request("/")) == nil, "nobody signed in: to /login")
        #expect(try await pages.viewer(request("/", headers: [.authorization: "Bearer wrong"])) == nil)
        #expect(try await pages.viewer(request("/", headers: [.authorization: "Bearer \(token)"]))?.role == "admin")
        #expect(try await pages.viewer(request("/", headers: [.cookie: "communewatch_admin=\(token)"])) != nil)
        let now = WallClock.nowMs()
        #expect(try await store.add(staff: StaffAccount(login: "lan", displayName: "chị Lan", role: .viewer, passwordHash: "x", createdAt: now)))
        let (cookie, session) = StaffSession.start(login: "lan", now: now, idleMs: 3_600_000)
        try await store.add(session: session)
        let lan = try await pages.viewer(request("/", headers: [.cookie: "\(StaffAuthentication.cookieName)=\(cookie)"]))
        #expect(lan == PageViewer(name: "chị Lan", role: "viewer"))
        #expect(try await pages.viewer(request("/", headers: [.cookie: "\(StaffAuthentication.cookieName)=forged"])) == nil)

        let refused = PageLayout.toLogin(request("/sites/QNG-1?range=7d"))
        #expect(refused.status == .seeOther && refused.headers[.location] == "/login?next=%2Fsites%2FQNG-1%3Frange%3D7d")
    }

    @Test func textIsEscapedAndFiguresWrittenInEachLanguage() {
        #expect(Html.escape(#"<b>"An" & 'Hòa'</b>"#) == "&lt;b&gt;&quot;An&quot; &amp; &#39;Hòa&#39;&lt;/b&gt;")
        let vi = PageLanguage(code: "vi"), en = PageLanguage(code: "en")
        #expect(vi.number(12.345, 1) == "12,3" && en.number(12.345, 1) == "12.3" && en.number(-0.04, 1) == "0.0" && en.number(-97, 0) == "-97")
        #expect(vi.ms(0.0234) == "23 ms" && en.ms(0.0042) == "4.2 ms" && en.percent(0.025) == "2.5 %" && vi.percent(nil) == "–")
        // 2026-12-02 17:30 UTC is 3 December 00:30 in Hà Nội.
        #expect(en.time(1_796_232_600_000, year: true) == "03/12/2026 00:30", "\(en.time(1_796_232_600_000, year: true))")
        #expect(vi.minutes(3) == "3 phút" && en.minutes(125) == "2 h 05" && en.minutes(3000) == "2 d 2 h")
        #expect(SiteState.label("site", in: #"{"kind":"icmp","path":"dedicated","site":"QNG-1"}"#) == "QNG-1")
        #expect(SiteState.label("site", in: #"{"site":"Q\"X"}"#) == "Q\"X" && SiteState.label("team", in: #"{"site":"Q"}"#) == nil)
    }
}
