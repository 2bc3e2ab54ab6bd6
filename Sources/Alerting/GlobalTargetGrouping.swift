import WatchModel

/// A portal (or DNS server) failing from a large share of the sites that probe it is the
/// portal's problem, not the communes': one incident about the target instead of one per site.
/// A site's first fire is held for `window` to see whether others follow; then either one
/// message about the target goes out (and later sites join it silently), or the held ones are
/// told one by one. The target's incident is resolved when every site in it is.
public struct GlobalTargetGrouping: Sendable {
    /// How long a site's fire waits to see whether it is one of many.
    public var window: Int64 = 90_000
    /// At least this many sites, and at least this share of the sites probing the target.
    public var minimumSites = 3
    public var share = 0.3

    /// Held first fires per rule and target, in arrival order.
    var held: [String: [AlertNotice]] = [:]
    /// The targets' incidents, by rule and target.
    var folding = FoldedSites()

    public init() {}

    /// The notices as the team should get them; `population(rule, target)` is how many sites probe
    /// the target. Called on every evaluation, so held fires are released on time.
    public mutating func apply(_ notices: [AlertNotice], now: TimestampMs, population: (String, String) -> Int) -> [AlertNotice] {
        var out: [AlertNotice] = []
        for n in notices {
            guard n.rule.groupBy == .target, let target = n.labels["probe"] ?? n.labels["target"], let site = n.labels["site"] else {
                out.append(n)
                continue
            }
            let id = n.rule.name + "|" + target
            if let groupID = folding.folded[n.key] {
                if let ended = folding.memberChanged(n, group: groupID) { out.append(notice(ended, target: target, change: .resolved, now: now)) }
                continue
            }
            if let i = held[id]?.firstIndex(where: { $0.key == n.key }) {
                // Still held: a change before anyone was told is not told either; an end drops it.
                if !n.firing { held[id]?.remove(at: i) }
                continue
            }
            guard case .fired = n.change else { out.append(n); continue }
            if folding.groups[id] != nil {
                folding.add(site: site, key: n.key, to: id)
                continue
            }
            held[id, default: []].append(n)
        }
        for id in held.keys.sorted() {
            guard let waiting = held[id], let first = waiting.first else { held[id] = nil; continue }
            let target = first.labels["probe"] ?? first.labels["target"] ?? ""
            let needed = max(minimumSites, Int((share * Double(population(first.rule.name, target))).rounded(.up)))
            if waiting.count >= needed {
                folding.groups[id] = FoldedSites.Group(since: first.since, rule: first.rule)
                for n in waiting { folding.add(site: n.labels["site"] ?? "", key: n.key, to: id) }
                held[id] = nil
                if let group = folding.groups[id] { out.append(notice(group, target: target, change: .fired, now: now)) }
            } else if now - first.at >= window {
                // Not many: each site's own problem after all (its last mile), told as such.
                out += waiting
                held[id] = nil
            }
        }
        return out
    }

    func notice(_ group: FoldedSites.Group, target: String, change: IncidentChange, now: TimestampMs) -> AlertNotice {
        var rule = group.rule
        rule.name = group.rule.name + "Everywhere"
        let sites = group.sites.keys.sorted().joined(separator: ", ")
        rule.annotations = [
            "summary_vi": "\(target): lỗi từ \(group.sites.count) xã cùng lúc — sự cố phía cổng, không phải đường truyền xã (\(sites))",
            "summary_en": "\(target): failing from \(group.sites.count) sites at once — the portal's problem, not the communes' lines (\(sites))",
        ]
        return AlertNotice(rule: rule, labels: ["probe": target, "sites": group.siteList],
                           change: change, value: Double(group.sites.count), since: group.since, at: now, key: "target|" + group.rule.name + "|" + target)
    }
}
