import Foundation
import WatchModel

/// Text made safe for HTML element content and attribute values.
enum Html {
    static func escape(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 38 || $0 == 60 || $0 == 62 || $0 == 34 || $0 == 39 }) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// A query string value (percent-encoded), for links built by the pages.
    static func query(_ value: String) -> String {
        // Site codes are plain ASCII: no Foundation call for them (the overview links thousands).
        if value.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 45 || $0 == 46 || $0 == 95 || $0 == 126 }) {
            return value
        }
        return value.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? ""
    }
}

/// The language a page is written in: Vietnamese unless `?lang=en` (remembered in a cookie).
struct PageLanguage: Sendable, Hashable {
    static let cookie = "communewatch_lang"
    let code: String

    var english: Bool { code == "en" }

    /// One of the two texts.
    func t(_ vi: String, _ en: String) -> String { english ? en : vi }

    /// Times as people in the province read them: Asia/Ho_Chi_Minh (UTC+7, no daylight saving).
    static let offset: TimestampMs = 7 * 3_600_000

    /// `dd/MM HH:mm` in UTC+7 (with the year when `year`).
    func time(_ ms: TimestampMs, year: Bool = false) -> String {
        let (d, m, y, hh, mm) = Self.parts(ms)
        let date = year ? "\(pad(d))/\(pad(m))/\(y)" : "\(pad(d))/\(pad(m))"
        return "\(date) \(pad(hh)):\(pad(mm))"
    }

    /// `HH:mm` in UTC+7.
    func clock(_ ms: TimestampMs) -> String {
        let p = Self.parts(ms)
        return "\(pad(p.3)):\(pad(p.4))"
    }

    /// A duration in minutes as "2 h 05" / "45 min" / "3 d 4 h".
    func minutes(_ minutes: Int) -> String {
        if minutes < 60 { return "\(minutes) " + t("phút", "min") }
        if minutes < 2880 { return "\(minutes / 60) " + t("giờ", "h") + " \(pad(minutes % 60))" }
        return "\(minutes / 1440) " + t("ngày", "d") + " \(minutes % 1440 / 60) " + t("giờ", "h")
    }

    /// "12 min ago", "3 h ago".
    func ago(_ ms: TimestampMs, now: TimestampMs) -> String {
        let m = Int(max(0, now - ms) / 60_000)
        return english ? minutes(m) + " ago" : minutes(m) + " trước"
    }

    /// A decimal with `digits` places, with the comma Vietnamese writes.
    func number(_ value: Double, _ digits: Int = 1) -> String {
        guard value.isFinite else { return "–" }
        // Fixed point by hand: String(format:) costs microseconds, and the overview writes thousands.
        var scale: Int64 = 1
        for _ in 0..<max(digits, 0) { scale *= 10 }
        let scaled = Int64((abs(value) * Double(scale)).rounded())
        var text = (value < 0 && scaled != 0 ? "-" : "") + String(scaled / scale)
        if digits > 0 {
            let fraction = String(scaled % scale)
            text += (english ? "." : ",") + String(repeating: "0", count: digits - fraction.count) + fraction
        }
        return text
    }

    /// Seconds as milliseconds ("23 ms").
    func ms(_ seconds: Double?) -> String {
        guard let seconds, seconds.isFinite else { return "–" }
        return number(seconds * 1000, seconds < 0.01 ? 1 : 0) + " ms"
    }

    /// A ratio 0–1 as a percentage.
    func percent(_ ratio: Double?, _ digits: Int = 1) -> String {
        guard let ratio, ratio.isFinite else { return "–" }
        return number(ratio * 100, digits) + " %"
    }

    private func pad(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    /// Day, month, year, hour, minute in UTC+7 (civil-from-days, no Foundation calendar per call).
    static func parts(_ ms: TimestampMs) -> (Int, Int, Int, Int, Int) {
        let local = floorDivide(ms + offset, 1000)
        let days = floorDivide(local, 86_400)
        let secs = Int(local - days * 86_400)
        let (y, m, d) = CivilDay(number: days).date
        return (d, m, y, secs / 3600, secs % 3600 / 60)
    }
}
