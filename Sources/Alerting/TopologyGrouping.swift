import Foundation
import WatchModel

/// Sites behind one upstream node (the POP or district node their lines go through), or in one
/// district, failing together are one incident about the node: the first site is told at once (it
/// may be alone); from the second within the window, one message names the node and the sites,
/// and the rest are added to it silently; it is resolved when every site in it is.
public struct TopologyGrouping: Sendable {
    /// Site code → upstream node, from the site registry.
    public var upstream: [String: String] = [:]
    /// Site code → district, from the site registry.
    public var district: [String: String] = [:]
    public var window: Int64 = 120_000
    /// The node's message waits this long after the second site so that it names the sites that
    /// fail in the same seconds (a node's 30 offices report within a few seconds of each other).
    public var groupWait: Int64 = 15_000

    /// Recent first fires per node, told one by one: (site, key, time).
    var recent: [String: [(site: String, key: String, at: TimestampMs)]] = [:]
    /// The nodes' incidents, by node (`upstream|NODE`, `district|NAME`).
    var folding = FoldedSites()

    public init() {}

    /// The notices as the team should get them.
    public mutating func apply(_ notices: [AlertNotice], now: TimestampMs) -> [AlertNotice] {
        var out: [AlertNotice] = []
        for n in notices {
            guard let site = n.labels["site"], let node = node(of: site, for: n.rule.groupBy) else {
                out.append(n)
                continue
            }
            if let groupNode = folding.folded[n.key] {
                // Resolved only if its firing was told.
                if let ended = folding.memberChanged(n, group: groupNode), ended.due == nil {
                    out.append(groupNotice(ended, node: groupNode, change: .resolved, now: now))
                }
                continue
            }
            guard case .fired = n.change else { out.append(n); continue }
            if folding.groups[node] != nil {
                folding.add(site: site, key: n.key, to: node)
                continue
            }
            recent[node, default: []].removeAll { $0.at < now - window || $0.site == site }
            if let first = recent[node]?.first {
                folding.groups[node] = FoldedSites.Group(since: first.at, rule: n.rule, due: now + groupWait)
                for r in recent[node]! + [(site, n.key, now)] { folding.add(site: r.site, key: r.key, to: node) }
                recent[node] = nil
            } else {
                recent[node, default: []].append((site, n.key, now))
                out.append(n)
            }
        }
        for node in folding.groups.keys.sorted() {
            guard var group = folding.groups[node], let due = group.due, now >= due else { continue }
            group.due = nil
            folding.groups[node] = group
            out.append(groupNotice(group, node: node, change: .fired, now: now))
        }
        return out
    }

    /// `upstream|NODE` or `district|NAME`: what the site's failure is grouped by, if anything.
    func node(of site: String, for grouping: AlertRule.Grouping?) -> String? {
        switch grouping {
        case .upstream:
            if let node = upstream[site], !node.isEmpty { return "upstream|" + node }
            return node(of: site, for: .district)
        case .district:
            guard let name = district[site], !name.isEmpty else { return nil }
            return "district|" + name
        case .target, nil:
            return nil
        }
    }

    func groupNotice(_ group: FoldedSites.Group, node: String, change: IncidentChange, now: TimestampMs) -> AlertNotice {
        var rule = group.rule
        let sites = group.sites.keys.sorted().joined(separator: ", ")
        let parts = node.split(separator: "|", maxSplits: 1).map(String.init)
        let (dimension, name) = (parts[0], parts.count > 1 ? parts[1] : "")
        let place = dimension == "district" ? ("huyện/khu vực " + name, "district " + name) : ("nút " + name, name)
        rule.name = group.rule.name + (dimension == "district" ? "District" : "Upstream")
        let what = (group.rule.plainSummary("vi"), group.rule.plainSummary("en"))
        rule.annotations = [
            "summary_vi": "\(group.sites.count) xã sau \(place.0): \(what.0) — \(sites)",
            "summary_en": "\(group.sites.count) sites behind \(place.1): \(what.1) — \(sites)",
        ]
        return AlertNotice(rule: rule, labels: [dimension: name, "sites": group.siteList],
                           change: change, value: Double(group.sites.count), since: group.since, at: now, key: node)
    }
}

extension AlertRule {
    /// The rule's summary without its per-site placeholders, for a message about many sites.
    func plainSummary(_ language: String) -> String {
        guard var text = annotations["summary_" + language] ?? annotations["summary"] else { return name }
        while let open = text.range(of: "{{"), let close = text.range(of: "}}", range: open.upperBound..<text.endIndex) {
            text.removeSubrange(open.lowerBound..<close.upperBound)
        }
        text = text.split(separator: " ").joined(separator: " ")
        for dangling in [" tại", " at", " (", " -", " —", ":"] where text.hasSuffix(dangling) { text.removeLast(dangling.count) }
        return text.replacingOccurrences(of: "()", with: "").trimmingCharacters(in: .whitespaces)
    }
}
