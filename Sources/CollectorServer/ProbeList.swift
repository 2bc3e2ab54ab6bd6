import TOML

/// A province's or a site's probe list as agents fetch it: `[[probe]]` tables in the agent's
/// own TOML. Checked here so a typo is refused at the admin API, naming its line, instead of
/// being refused by 96 agents one by one (they keep their last good copy either way).
enum ProbeList {
    /// Probe kinds the agent knows (its `ProbeKind`; the collector does not link the agent's code).
    static let kinds: Set<String> = ["icmp", "tcp", "dns", "http", "snmp", "modem", "host"]

    /// How many probes the list holds, or the first problem with its line.
    static func check(_ toml: String) throws(Refusal) -> Int {
        let root: TOMLTable
        do { root = try TOMLParser.parse(toml) } catch {
            throw Refusal(.unprocessableContent, "\(error)")
        }
        for (key, node) in root.items where key != "probe" {
            throw Refusal(.unprocessableContent, "line \(node.line): only [[probe]] tables belong in a probe list, not '\(key)'")
        }
        guard let node = root["probe"] else { return 0 }
        guard case let .array(probes) = node.value else {
            throw Refusal(.unprocessableContent, "line \(node.line): 'probe' must be written [[probe]]")
        }
        var names = Set<String>()
        for probe in probes {
            guard case let .table(table) = probe.value else { throw Refusal(.unprocessableContent, "line \(probe.line): a probe must be a table") }
            guard case let .string(name)? = table["name"]?.value else {
                throw Refusal(.unprocessableContent, "line \(table.line): every probe in a central list needs a name (the agent merges by name)")
            }
            guard case let .string(kind)? = table["kind"]?.value, kinds.contains(kind) else {
                throw Refusal(.unprocessableContent, "line \(table["kind"]?.line ?? table.line): probe '\(name)': 'kind' must be one of \(kinds.sorted().joined(separator: ", "))")
            }
            guard names.insert(name).inserted else { throw Refusal(.unprocessableContent, "line \(table.line): probe '\(name)' is listed twice") }
        }
        return probes.count
    }

    /// A strong ETag for the served text (FNV-1a 64: a change detector, not a secret).
    static func etag(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return "\"\(String(hash, radix: 16))\""
    }
}
