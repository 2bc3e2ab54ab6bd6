import Foundation
import Hummingbird
import Storage
import WatchModel

/// The page a message links to: a phone on thin 4G opens it, and the person acknowledges, adds a
/// note or silences the alert for a while. The signed token in the URL is the only credential.
struct AcknowledgeRoutes {
    let alerting: AlertService

    func add(to router: Router<BasicRequestContext>) {
        router.get("/ack/:token") { request, context -> Response in
            let language = request.uri.queryParameters.get("lang") == "en" ? "en" : "vi"
            let token = context.parameters.get("token") ?? ""
            let id: String
            do { id = try alerting.links.incident(in: token, now: WallClock.nowMs()) } catch let refusal as AcknowledgeLink.Refusal {
                return Self.refusal(refusal, language: language)
            }
            return try await page(id: id, token: token, language: language, message: nil)
        }
        router.post("/ack/:token") { request, context -> Response in
            let language = request.uri.queryParameters.get("lang") == "en" ? "en" : "vi"
            let token = context.parameters.get("token") ?? ""
            let id: String
            do { id = try alerting.links.incident(in: token, now: WallClock.nowMs()) } catch let refusal as AcknowledgeLink.Refusal {
                return Self.refusal(refusal, language: language)
            }
            let form = Self.form(String(buffer: try await request.body.collect(upTo: 16 << 10)))
            // The form names its incident too: a form copied under another incident's link does nothing.
            if let named = form["incident"], named != id { return Self.refusal(.otherIncident, language: language) }
            let name = (form["name"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            let note = (form["note"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            let message: (ok: Bool, text: String)
            do {
                guard !name.isEmpty, name.count <= 100 else {
                    throw ActionRefused(status: .badRequest, vi: "Xin ghi tên của anh/chị (tối đa 100 ký tự).", en: "Please give your name (at most 100 characters).")
                }
                guard note.count <= 2000 else { throw ActionRefused(status: .badRequest, vi: "Ghi chú quá dài (tối đa 2000 ký tự).", en: "The note is too long (at most 2000 characters).") }
                switch form["action"] {
                case "acknowledge":
                    _ = try await alerting.acknowledge(incident: id, by: name, note: note)
                    message = (true, Self.t("Đã nhận xử lý: \(name).", "Acknowledged by \(name).", language))
                case "note":
                    guard !note.isEmpty else { throw ActionRefused(status: .badRequest, vi: "Ghi chú đang trống.", en: "The note is empty.") }
                    try await alerting.addNote(incident: id, by: name, text: note)
                    message = (true, Self.t("Đã thêm ghi chú.", "Note added.", language))
                case "silence":
                    let hours = Double(form["hours"] ?? "") ?? 0
                    let s = try await alerting.silence(incident: id, by: name, hours: hours, comment: note)
                    message = (true, Self.t("Đã tạm tắt cảnh báo đến \(Self.time(s.ends)).", "Silenced until \(Self.time(s.ends)).", language))
                default:
                    throw ActionRefused(status: .badRequest, vi: "Không rõ thao tác.", en: "Unknown action.")
                }
            } catch let refused as ActionRefused {
                var response = try await page(id: id, token: token, language: language, message: (false, refused.text(language)), name: name, note: note)
                response.status = refused.status
                return response
            }
            return try await page(id: id, token: token, language: language, message: message, name: name)
        }
    }

    func page(id: String, token: String, language: String, message: (ok: Bool, text: String)?, name: String = "", note: String = "") async throws -> Response {
        guard let incident = try await alerting.incident(id) else {
            return Self.html(.notFound, Self.t("Không tìm thấy sự cố", "Incident not found", language),
                             "<h1>" + Self.t("Không tìm thấy sự cố", "Incident not found", language) + "</h1><p>" + Self.t("Sự cố trong liên kết này không còn được lưu.", "The incident this link is for is not kept any more.", language) + "</p>")
        }
        let history = try await alerting.incidents.history(incident: id)
        let e = Self.escape
        let t = { (vi: String, en: String) in Self.t(vi, en, language) }
        let lang = language == "en" ? "?lang=en" : ""
        var body = ""
        if let message { body += "<p class=\"\(message.ok ? "ok" : "no")\">\(e(message.text))</p>" }
        let site = incident.labels["site"] ?? ""
        body += "<h1>\(e(incident.summary.isEmpty ? incident.rule : incident.summary))</h1><table>"
        body += "<tr><th>\(t("Điểm", "Site"))</th><td>\(e(site))</td></tr>"
        body += "<tr><th>\(t("Cảnh báo", "Alert"))</th><td>\(e(incident.rule)) (\(e(incident.severity)))</td></tr>"
        body += "<tr><th>\(t("Từ", "Since"))</th><td>\(Self.time(incident.since))</td></tr>"
        body += "<tr><th>\(t("Trạng thái", "State"))</th><td><b>\(e(Self.state(incident.state, language)))</b></td></tr>"
        if let by = incident.acknowledgedBy {
            body += "<tr><th>\(t("Người nhận", "Taken by"))</th><td>\(e(by))\(incident.acknowledgedAt.map { " · " + Self.time($0) } ?? "")</td></tr>"
        }
        if let resolved = incident.resolvedAt { body += "<tr><th>\(t("Hết lúc", "Resolved"))</th><td>\(Self.time(resolved))</td></tr>" }
        body += "</table>"
        body += "<form method=\"post\" action=\"/ack/\(e(token))\(lang)\"><input type=\"hidden\" name=\"incident\" value=\"\(e(id))\">"
        body += "<label>\(t("Tên của anh/chị", "Your name"))<input name=\"name\" required maxlength=\"100\" value=\"\(e(name))\"></label>"
        body += "<label>\(t("Ghi chú (không bắt buộc)", "Note (optional)"))<textarea name=\"note\" rows=\"3\" maxlength=\"2000\">\(e(note))</textarea></label>"
        if incident.state == "firing" || incident.state == "flapping" {
            body += "<button name=\"action\" value=\"acknowledge\">\(t("Nhận xử lý", "Acknowledge"))</button>"
        }
        body += "<button name=\"action\" value=\"note\" class=\"b2\">\(t("Ghi chú", "Add note"))</button>"
        body += "<div class=\"row\"><button name=\"action\" value=\"silence\" class=\"b2\">\(t("Tạm tắt N giờ", "Silence for N hours"))</button>"
        body += "<input name=\"hours\" type=\"number\" min=\"1\" max=\"744\" value=\"4\" aria-label=\"N\"></div></form>"
        body += "<h2>\(t("Diễn biến", "History"))</h2><ul>"
        for entry in history.reversed() {
            body += "<li><span>\(Self.time(entry.at))</span> \(e(Self.kind(entry.kind, language))) · \(e(entry.by))"
            if !entry.text.isEmpty { body += "<br>\(e(entry.text))" }
            body += "</li>"
        }
        if history.isEmpty { body += "<li>\(t("Chưa có.", "Nothing yet."))</li>" }
        body += "</ul>"
        if language != "en" { body += "<p class=\"en\"><a href=\"/ack/\(e(token))?lang=en\">English</a></p>" }
        return Self.html(.ok, Self.escape(site) + " · CommuneWatch", body)
    }

    static func refusal(_ refusal: AcknowledgeLink.Refusal, language: String) -> Response {
        switch refusal {
        case .malformed, .tampered:
            html(.forbidden, t("Liên kết không hợp lệ", "Invalid link", language),
                 "<h1>" + t("Liên kết không hợp lệ", "Invalid link", language) + "</h1><p class=\"no\">" + t("Liên kết này không đúng hoặc đã bị sửa. Hãy mở lại liên kết trong tin nhắn cảnh báo.",
                                       "This link is wrong or was altered. Open the link in the alert message again.", language) + "</p>")
        case .otherIncident:
            html(.forbidden, t("Liên kết không hợp lệ", "Invalid link", language),
                 "<h1>" + t("Liên kết không hợp lệ", "Invalid link", language) + "</h1><p class=\"no\">" + t("Liên kết này dành cho một sự cố khác.", "This link is for another incident.", language) + "</p>")
        case let .expired(at):
            html(.gone, t("Liên kết đã hết hạn", "Link expired", language),
                 "<h1>" + t("Liên kết đã hết hạn", "Link expired", language) + "</h1><p class=\"no\">" + t("Liên kết này đã hết hạn lúc \(time(at)). Xem tin nhắn mới hơn, hoặc dùng lệnh commune-collector incidents.",
                                       "This link expired at \(time(at)). Use a newer message, or the commune-collector incidents command.", language) + "</p>")
        }
    }

    /// Vietnamese with the English beneath it; English alone with `?lang=en`.
    static func t(_ vi: String, _ en: String, _ language: String) -> String {
        language == "en" ? escape(en) : escape(vi) + "<small>" + escape(en) + "</small>"
    }

    static func state(_ state: String, _ language: String) -> String {
        let vi = ["pending": "chờ xác nhận", "firing": "đang báo động", "acknowledged": "đã có người nhận", "flapping": "chập chờn", "resolved": "đã hết"]
        return language == "en" ? state : (vi[state] ?? state) + " (\(state))"
    }

    static func kind(_ kind: String, _ language: String) -> String {
        let vi = ["fired": "báo động", "resolved": "đã hết", "acknowledged": "nhận xử lý", "flapping": "chập chờn", "settled": "ổn định lại",
                  "note": "ghi chú", "silenced": "tạm tắt", "notified": "đã gửi tin", "escalated": "chuyển cấp"]
        return language == "en" ? kind : (vi[kind] ?? kind)
    }

    /// Shown in Vietnam's time: the teams read it there.
    static func time(_ ms: TimestampMs) -> String {
        let formatter = DateFormatter()
        formatter.timeZone = TimeZone(identifier: "Asia/Ho_Chi_Minh")
        formatter.dateFormat = "dd/MM/yyyy HH:mm"
        return formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }

    static func escape(_ text: String) -> String { Html.escape(text) }

    /// `application/x-www-form-urlencoded` fields (the last of a repeated name wins).
    static func form(_ body: String) -> [String: String] {
        var out: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String { s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            out[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return out
    }

    /// A whole page: no external resources, a few hundred bytes of CSS, readable at 360 px.
    static func html(_ status: HTTPResponse.Status, _ title: String, _ body: String) -> Response {
        let page = """
            <!doctype html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
            <meta name="referrer" content="no-referrer"><title>\(title.replacingOccurrences(of: "<small>", with: " / ").replacingOccurrences(of: "</small>", with: ""))</title><style>
            body{font:16px/1.4 sans-serif;margin:0 auto;max-width:40em;padding:8px;color:#222}h1{font-size:1.2em}h2{font-size:1.05em}
            small{display:block;color:#666;font-size:.8em}th{text-align:left;vertical-align:top;padding-right:8px}td,th{padding:2px 0}
            label{display:block;margin:8px 0}input,textarea{display:block;width:100%;box-sizing:border-box;font:inherit;padding:6px}
            button{display:block;width:100%;margin:8px 0;padding:10px;font:inherit;font-weight:bold;background:#0a5;color:#fff;border:0;border-radius:4px}
            .b2{background:#357}.row{display:flex;gap:8px;align-items:center}.row input{width:5em}.row button{flex:1}
            .ok{background:#dfd;padding:8px}.no{background:#fdd;padding:8px}ul{padding-left:1.2em}li{margin:4px 0}li span{color:#666}
            </style></head><body>\(body)</body></html>
            """
        // The token is in the URL: no referrer carries it away, no cache keeps the page, no script runs.
        return Response(status: status, headers: [
            .contentType: "text/html; charset=utf-8", .cacheControl: "no-store", .init("Referrer-Policy")!: "no-referrer",
            .init("Content-Security-Policy")!: "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
        ], body: ResponseBody(byteBuffer: ByteBuffer(string: page)))
    }
}
