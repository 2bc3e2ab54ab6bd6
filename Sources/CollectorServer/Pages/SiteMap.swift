import Foundation
import WatchModel

/// A map-like picture of the province without a tile server: each district drawn as the outline
/// around its sites (their convex hull) with its name, each site a dot placed from its latitude and
/// longitude, coloured by its state, linking to its page; a scale bar in kilometres.
enum SiteMap {
    /// A point of the picture, in its own units.
    struct Point: Hashable {
        var x: Double
        var y: Double
    }

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
        let width = 600.0, margin = 28.0
        let height = min(max(width * spanY / spanX, 260), 900)
        let scale = min((width - 2 * margin) / spanX, (height - 2 * margin) / spanY)
        let offsetX = (width - spanX * scale) / 2, offsetY = (height - spanY * scale) / 2
        func at(_ lat: Double, _ lon: Double) -> Point { Point(x: offsetX + (lon - west) * squeeze * scale, y: offsetY + (north - lat) * scale) }
        func f(_ v: Double) -> String { String(Int(v.rounded())) }
        var out = "<svg class=\"map\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(lang.t("Bản đồ các điểm", "Map of the sites"))\">"

        // Districts first, under the dots: the outline around their sites, the name at their middle.
        let byDistrict = Dictionary(grouping: placed.filter { !$0.0.district.isEmpty }, by: { $0.0.district })
        var labels = ""
        for (district, members) in byDistrict.sorted(by: { $0.key < $1.key }) {
            let points = members.map { at($0.2, $0.3) }
            let hull = convexHull(points)
            if hull.count >= 3 {
                out += "<polygon class=\"district\" points=\"" + hull.map { "\(f($0.x)),\(f($0.y))" }.joined(separator: " ") + "\"><title>\(Html.escape(district))</title></polygon>"
            }
            let middle = Point(x: points.map(\.x).reduce(0, +) / Double(points.count), y: points.map(\.y).reduce(0, +) / Double(points.count))
            labels += "<text class=\"district\" x=\"\(f(middle.x))\" y=\"\(f(middle.y))\" text-anchor=\"middle\">\(Html.escape(district))</text>"
        }
        // Problems drawn last, on top of the green dots.
        for (site, state, lat, lon) in placed.sorted(by: { ($0.1 == .ok ? 0 : 1) < ($1.1 == .ok ? 0 : 1) }) {
            let p = at(lat, lon)
            out += "<a href=\"/sites/\(Html.escape(Html.query(site.code)))\"><circle class=\"s-\(state.rawValue)\" cx=\"\(f(p.x))\" cy=\"\(f(p.y))\" r=\"\(state == .ok ? 5 : 7)\">"
            out += "<title>\(Html.escape(site.name)) – \(state.text(lang))</title></circle></a>"
        }
        out += labels
        // A scale bar: a round number of kilometres about a fifth of the picture wide.
        let kmPerUnit = 111.32 / scale
        let wanted = width / 5 * kmPerUnit
        let km = [1.0, 2, 5, 10, 20, 50, 100, 200, 500].last { $0 <= wanted } ?? 1
        let bar = km / kmPerUnit
        out += "<g class=\"scale\"><line x1=\"10\" y1=\"\(f(height - 10))\" x2=\"\(f(10 + bar))\" y2=\"\(f(height - 10))\"/>"
        out += "<text x=\"10\" y=\"\(f(height - 16))\">\(Int(km)) km</text></g>"
        return out + "</svg>"
    }

    /// The smallest convex polygon holding every point (Andrew's monotone chain), counter-clockwise.
    static func convexHull(_ points: [Point]) -> [Point] {
        let sorted = Array(Set(points)).sorted { ($0.x, $0.y) < ($1.x, $1.y) }
        guard sorted.count >= 3 else { return sorted }
        func cross(_ o: Point, _ a: Point, _ b: Point) -> Double { (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x) }
        var lower: [Point] = [], upper: [Point] = []
        for p in sorted {
            while lower.count >= 2 && cross(lower[lower.count - 2], lower[lower.count - 1], p) <= 0 { lower.removeLast() }
            lower.append(p)
        }
        for p in sorted.reversed() {
            while upper.count >= 2 && cross(upper[upper.count - 2], upper[upper.count - 1], p) <= 0 { upper.removeLast() }
            upper.append(p)
        }
        return Array(lower.dropLast() + upper.dropLast())
    }
}
