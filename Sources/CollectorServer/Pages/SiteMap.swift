import Foundation
import WatchModel

/// A map-like picture of the province without a tile server: each site a dot placed from its
/// latitude and longitude, coloured by its state, linking to its page.
enum SiteMap {
    static func svg(_ sites: [(site: Site, state: SiteState)], lang: PageLanguage) -> String {
        let placed = sites.compactMap { s -> (Site, SiteState, Double, Double)? in
            guard let lat = s.site.latitude, let lon = s.site.longitude else { return nil }
            return (s.site, s.state, lat, lon)
        }
        guard !placed.isEmpty else { return "<p class=\"muted\">" + lang.t("Chưa có tọa độ điểm nào để vẽ bản đồ.", "No site has coordinates to draw a map.") + "</p>" }
        let lats = placed.map(\.2), lons = placed.map(\.3)
        let (south, north, west, east) = (lats.min()!, lats.max()!, lons.min()!, lons.max()!)
        // Equirectangular, a degree of longitude shortened by cos(latitude) so the shape looks right.
        let squeeze = cos((south + north) / 2 * .pi / 180)
        let spanX = max((east - west) * squeeze, 0.01), spanY = max(north - south, 0.01)
        let width = 600.0, margin = 12.0
        let height = min(max(width * spanY / spanX, 220), 900)
        let scale = min((width - 2 * margin) / spanX, (height - 2 * margin) / spanY)
        let offsetX = (width - spanX * scale) / 2, offsetY = (height - spanY * scale) / 2
        var out = "<svg class=\"map\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(lang.t("Bản đồ các điểm", "Map of the sites"))\">"
        // Problems drawn last, on top of the green dots.
        for (site, state, lat, lon) in placed.sorted(by: { ($0.1 == .ok ? 0 : 1) < ($1.1 == .ok ? 0 : 1) }) {
            let x = offsetX + (lon - west) * squeeze * scale, y = offsetY + (north - lat) * scale
            out += "<a href=\"/sites/\(Html.escape(Html.query(site.code)))\"><circle class=\"s-\(state.rawValue)\" cx=\"\(Int(x.rounded()))\" cy=\"\(Int(y.rounded()))\" r=\"\(state == .ok ? 5 : 7)\">"
            out += "<title>\(Html.escape(site.name)) – \(state.text(lang))</title></circle></a>"
        }
        return out + "</svg>"
    }
}
