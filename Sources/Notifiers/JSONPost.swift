import Curl
import Foundation

/// The one way a notifier talks HTTP: a JSON body POSTed with a bounded time and no redirects
/// (a receiver that redirects is misconfigured, and a redirect could carry a token elsewhere).
enum JSONPost {
    static func send(_ body: [UInt8], to url: String, headers: [String] = [], http: CurlMulti) async throws -> CurlResponse {
        var request = CurlRequest(url: url)
        request.body = body
        request.headers = ["Content-Type: application/json", "Expect:"] + headers
        request.timeout = .seconds(15)
        request.followRedirects = false
        request.userAgent = "CommuneWatch-collector"
        return try await http.perform(request)
    }
}
