import WatchModel

/// Sites behind one upstream node (the POP or district node their lines go through) failing
/// together are one incident about the node: the first site is told at once (it may be alone);
/// from the second within the window, one message names the node and the sites, and the rest
/// are added to it silently; it is resolved when every site in it is.
public struct TopologyGrouping: Sendable {
    /// Site code → upstream node, from the site registry.
    public var upstream: [String: String] = [:]
    public var window: Int64 = 120_000

    struct Group {
        var sites: [String: String] = [:]   // site → incident key
        var open: Set<String> = []
        var since: TimestampMs
        var rule: AlertRule
    }

    /// Recent first fires per node, told one by one: (site, key, time).
    var recent: [String: [(site: String, key: String, at: TimestampMs)]] = [:]
    var groups: [String: Group] = [:]
    /// Incident keys folded into a group: their own changes are not told.
    var folded: [String: String] = [:]

    public init() {}

    /// The notices as the team should get them.
    public mutating func apply(_ notices: [AlertNotice], now: TimestampMs) -> [AlertNotice] {
        var out: [AlertNotice] = []
        for n in notices {
            guard n.rule.groupByUpstream, let site = n.labels["site"], let node = upstream[site], !node.isEmpty else {
                out.append(n)
                continue
            }
            if let groupNode = folded[n.key] {
                // A member's own change: only its end matters, to close the group.
                if !n.firing, var group = groups[groupNode] {
                    group.open.remove(n.key)
                    groups[groupNode] = group
                    if group.open.isEmpty {
                        groups[groupNode] = nil
                        for key in group.sites.values { folded[key] = nil }
                        out.append(groupNotice(group, node: groupNode, change: .resolved, now: now))
                    }
                }
                continue
            }
            guard case .fired = n.change else { out.append(n); continue }
            if var group = groups[node] {
                group.sites[site] = n.key
                group.open.insert(n.key)
                groups[node] = group
                folded[n.key] = node
                continue
            }
            recent[node, default: []].removeAll { $0.at < now - window || $0.site == site }
            if let first = recent[node]?.first {
                var group = Group(since: first.at, rule: n.rule)
                for r in recent[node]! + [(site, n.key, now)] {
                    group.sites[r.site] = r.key
                    group.open.insert(r.key)
                    folded[r.key] = node
                }
                groups[node] = group
                recent[node] = nil
                out.append(groupNotice(group, node: node, change: .fired, now: now))
            } else {
                recent[node, default: []].append((site, n.key, now))
                out.append(n)
            }
        }
        return out
    }

    func groupNotice(_ group: Group, node: String, change: IncidentChange, now: TimestampMs) -> AlertNotice {
        var rule = group.rule
        rule.name = group.rule.name + "Upstream"
        rule.annotations = [
            "summary_vi": "Nhiều xã sau nút \(node) mất đường truyền: \(group.sites.keys.sorted().joined(separator: ", "))",
            "summary_en": "Several sites behind \(node) lost their line: \(group.sites.keys.sorted().joined(separator: ", "))",
        ]
        return AlertNotice(rule: rule, labels: ["upstream": node, "sites": group.sites.keys.sorted().joined(separator: ",")],
                           change: change, value: Double(group.sites.count), since: group.since, at: now, key: "upstream|" + node)
    }
}
