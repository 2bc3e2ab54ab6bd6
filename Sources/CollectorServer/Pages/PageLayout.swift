import Deflate
import Foundation
import HTTPTypes
import Hummingbird

/// What every page shares: the language chosen, the frame around the content (header, navigation,
/// the collector's own stylesheet), and the reply compressed when the browser accepts it.
enum PageLayout {
    /// `?lang=en` / `?lang=vi`, else the remembered cookie, else Vietnamese.
    static func language(_ request: Request) -> PageLanguage {
        if let asked = request.uri.queryParameters.get("lang"), asked == "en" || asked == "vi" { return PageLanguage(code: asked) }
        return PageLanguage(code: request.cookies[PageLanguage.cookie]?.value == "en" ? "en" : "vi")
    }

    /// The query as an HTML form sends it (`application/x-www-form-urlencoded`: `+` is a space,
    /// which the router's decoding leaves as is; district names have spaces).
    static func form(_ request: Request) -> [String: String] {
        var out: [String: String] = [:]
        for pair in (request.uri.query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decoded(_ text: Substring) -> String {
                let spaced = text.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            let key = decoded(parts[0])
            if out[key] == nil { out[key] = parts.count > 1 ? decoded(parts[1]) : "" }
        }
        return out
    }

    /// The page in its frame, gzip- or deflate-compressed when accepted, remembering `?lang`.
    static func page(_ request: Request, _ lang: PageLanguage, title: String, body: String, status: HTTPResponse.Status = .ok,
                     timing: String? = nil) -> Response {
        let l = lang.t
        var html = "<!doctype html><html lang=\"\(lang.code)\"><head><meta charset=\"utf-8\">"
        html += "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><meta name=\"referrer\" content=\"no-referrer\">"
        html += "<title>\(Html.escape(title)) · CommuneWatch</title><link rel=\"stylesheet\" href=\"\(AssetRoutes.stylesheetPath)\"></head><body>"
        html += "<header><a class=\"brand\" href=\"/\">CommuneWatch</a><nav><a href=\"/\">\(l("Tổng quan", "Overview"))</a>"
        html += "<a href=\"/portals\">\(l("Cổng dịch vụ", "Portals"))</a>"
        html += "<a href=\"/incidents\">\(l("Sự cố", "Incidents"))</a>"
        html += "<a href=\"/report\">\(l("Báo cáo", "Report"))</a>"
        html += "<a href=\"\(Html.escape(switchLink(request, to: lang.english ? "vi" : "en")))\" hreflang=\"\(lang.english ? "vi" : "en")\">"
        html += lang.english ? "Tiếng Việt</a>" : "English</a>"
        html += "</nav></header><main>" + body + "</main></body></html>"
        let clock = ContinuousClock()
        let started = clock.now
        var response = compressed(request, Array(html.utf8), status: status, contentType: "text/html; charset=utf-8",
                                  remember: request.uri.queryParameters.get("lang"))
        if let timing, let field = HTTPField.Name("Server-Timing") {
            response.headers[field] = timing + ", compress;dur=\(OverviewPage.ms(clock.now - started))"
        }
        return response
    }

    /// The same address with `lang` set to `code`.
    static func switchLink(_ request: Request, to code: String) -> String {
        var items = form(request).filter { $0.key != "lang" }.sorted { $0.key < $1.key }.map { Html.query($0.key) + "=" + Html.query($0.value) }
        items.append("lang=\(code)")
        return request.uri.path + "?" + items.joined(separator: "&")
    }

    /// The body as is, or gzip / deflate when the request's Accept-Encoding takes it (phones on 3G).
    static func compressed(_ request: Request, _ bytes: [UInt8], status: HTTPResponse.Status, contentType: String, remember: String? = nil,
                           extra: HTTPFields = [:]) -> Response {
        var headers = extra
        headers[.contentType] = contentType
        headers[.vary] = "Accept-Encoding"
        let accepted = (request.headers[.acceptEncoding] ?? "").lowercased()
        let encodings = accepted.split(separator: ",").map { $0.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? "" }
        var body = bytes
        // Below a kilobyte compression saves nothing worth the CPU.
        if bytes.count > 1024, encodings.contains("gzip") {
            body = Deflate.gzip(bytes)
            headers[.contentEncoding] = "gzip"
        } else if bytes.count > 1024, encodings.contains("deflate") {
            body = Deflate.compress(bytes, level: 6)
            headers[.contentEncoding] = "deflate"
        }
        var response = Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
        if let remember, remember == "en" || remember == "vi" {
            response.setCookie(Cookie(name: PageLanguage.cookie, value: remember, maxAge: 365 * 86_400, path: "/", httpOnly: true, sameSite: .lax))
        }
        return response
    }

    /// Nobody admitted: to the login page, coming back here afterwards.
    static func toLogin(_ request: Request) -> Response {
        let here = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
        return Response(status: .seeOther, headers: [.location: "/login?next=" + Html.query(here)])
    }

    /// A page that is not there (an unknown site code), in the page's language.
    static func notFound(_ request: Request, _ lang: PageLanguage, what: String) -> Response {
        page(request, lang, title: lang.t("Không tìm thấy", "Not found"),
             body: "<h1>\(lang.t("Không tìm thấy", "Not found"))</h1><p>\(Html.escape(what))</p><p><a href=\"/\">\(lang.t("Về trang tổng quan", "Back to the overview"))</a></p>",
             status: .notFound)
    }
}
