import WatchModel

/// Sites' incidents folded into one incident about what they share (an upstream node, a district,
/// a portal): its members, which of them are still on, and its end when the last one ends.
struct FoldedSites: Sendable {
    /// One incident standing for several sites'.
    struct Group: Sendable {
        /// Site → the site's own incident key.
        var sites: [String: String] = [:]
        var open: Set<String> = []
        var since: TimestampMs
        var rule: AlertRule
        /// When the group's message goes out; nil once told (or when it is told at once).
        var due: TimestampMs?

        /// The member sites, sorted, comma-separated (the notice's `sites` label).
        var siteList: String { sites.keys.sorted().joined(separator: ",") }
    }

    var groups: [String: Group] = [:]
    /// Incident key → the group it is folded into: its own changes are not told.
    var folded: [String: String] = [:]

    /// The site's incident joins the group `id` (which must exist).
    mutating func add(site: String, key: String, to id: String) {
        groups[id]?.sites[site] = key
        groups[id]?.open.insert(key)
        folded[key] = id
    }

    /// A member's own change: only its end matters. Returns the group when that was its last open
    /// member (the group is then gone, and its members free to start new incidents).
    mutating func memberChanged(_ notice: AlertNotice, group id: String) -> Group? {
        guard !notice.firing, var group = groups[id] else { return nil }
        group.open.remove(notice.key)
        groups[id] = group
        guard group.open.isEmpty else { return nil }
        groups[id] = nil
        for key in group.sites.values { folded[key] = nil }
        return group
    }
}
