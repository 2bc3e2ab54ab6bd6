import Alerting
import Storage
import WatchModel

/// A site as the overview shows it: one state, the one that says what the team would drive out for.
enum SiteState: String, CaseIterable, Sendable {
    case ok, degraded
    case lineDownOn4G = "line_down_on_4g"
    case dark
    case agentStopped = "agent_stopped"
    case maintenance
    /// Never heard from (no agent yet, or no path result stored).
    case unknown

    func text(_ lang: PageLanguage) -> String {
        switch self {
        case .ok: lang.t("Bình thường", "OK")
        case .degraded: lang.t("Suy giảm", "Degraded")
        case .lineDownOn4G: lang.t("Mất đường truyền, chạy 4G", "Line down, on 4G")
        case .dark: lang.t("Mất liên lạc", "Dark")
        case .agentStopped: lang.t("Máy giám sát ngừng", "Agent stopped")
        case .maintenance: lang.t("Đang bảo trì", "In maintenance")
        case .unknown: lang.t("Chưa có dữ liệu", "No data yet")
        }
    }

    /// The newest result of each path of one site (`probe_path_up`).
    struct Paths: Sendable {
        var dedicated: WirePoint?
        var backup: WirePoint?
        var newest: TimestampMs? { [dedicated?.timestamp, backup?.timestamp].compactMap { $0 }.max() }
    }

    /// Every site's newest path results from one read of the store's latest points.
    static func paths(_ rows: [LatestRow]) -> [String: Paths] {
        var out: [String: Paths] = [:]
        for row in rows {
            guard let site = label("site", in: row.labelsJSON) else { continue }
            let point = WirePoint(timestamp: row.timestamp, value: row.value)
            if label("path", in: row.labelsJSON) == "dedicated" {
                if (out[site]?.dedicated?.timestamp ?? .min) < row.timestamp { out[site, default: Paths()].dedicated = point }
            } else if (out[site]?.backup?.timestamp ?? .min) < row.timestamp {
                out[site, default: Paths()].backup = point
            }
        }
        return out
    }

    /// Whether a silence covers the whole site (by site or district, not one alert only): maintenance.
    static func inMaintenance(_ site: Site, _ silences: [Silence]) -> Bool {
        silences.contains { s in
            !s.matchers.isEmpty && s.matchers.allSatisfy { key, value in
                (key == "site" && value == site.code) || (key == "district" && value == site.district && !value.isEmpty)
            }
        }
    }

    /// The state: maintenance first (the team knows), then what the line and the contacts say, then
    /// any other open incident.
    static func of(_ site: Site, paths: Paths?, incidents: [IncidentView], alerts: AlertSnapshot, now: TimestampMs) -> SiteState {
        if inMaintenance(site, alerts.silences) { return .maintenance }
        let firing = incidents.filter { $0.phase != .pending }
        guard let paths, let newest = paths.newest else {
            return firing.contains { alerts.contactRules.contains($0.rule) } ? .dark : .unknown
        }
        if now - newest >= alerts.quietAfter { return .dark }
        let lineFresh = paths.dedicated.map { now - $0.timestamp < alerts.quietAfter && $0.value >= 1 } ?? false
        let onBackup = paths.backup.map { now - $0.timestamp < alerts.quietAfter && $0.value >= 1 } ?? false
        if !lineFresh && (onBackup || paths.dedicated != nil) { return .lineDownOn4G }
        if firing.contains(where: { alerts.contactRules.contains($0.rule) }) { return .agentStopped }
        if !firing.isEmpty { return .degraded }
        return .ok
    }

    /// One label's value from the stored label text (a JSON object with sorted keys) without
    /// parsing the whole object: the overview reads thousands of rows per request. A value with
    /// an escape in it is read by the full decoder.
    static func label(_ name: String, in json: String) -> String? {
        let needle = Array(("\"" + name + "\":\"").utf8)
        var text = json
        let (value, escaped) = text.withUTF8 { buf -> (String?, Bool) in
            let n = needle.count
            guard buf.count > n else { return (nil, false) }
            var i = 0
            while i <= buf.count - n {
                if buf[i] == needle[0] {
                    var k = 1
                    while k < n && buf[i + k] == needle[k] { k += 1 }
                    if k == n {
                        var j = i + n
                        while j < buf.count && buf[j] != 34 && buf[j] != 92 { j += 1 }
                        guard j < buf.count, buf[j] == 34 else { return (nil, true) }
                        return (String(decoding: UnsafeBufferPointer(rebasing: buf[(i + n)..<j]), as: UTF8.self), false)
                    }
                }
                i += 1
            }
            return (nil, false)
        }
        return escaped ? LabelText.decode(json)[name] : value
    }
}
