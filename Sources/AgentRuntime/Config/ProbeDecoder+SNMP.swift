import Probes
import SNMP

extension ProbeDecoder {
    /// An `snmp` probe: `target` is HOST or HOST:PORT; v1/v2c with a community, v3 with a user.
    static func snmp(_ r: inout TableReader, target text: String) throws(ConfigError) -> SNMPDeviceProbe {
        guard let (host, port) = HostPort.split(text, defaultPort: 161), !host.isEmpty else {
            throw r.fail("target", "\(r.context): 'target' = \"\(text)\" must be HOST or HOST:PORT")
        }
        var target = SNMPTarget(host: host, port: port)
        let user = try r.string("user")
        let versions = SNMPTarget.Version.allCases.map(\.rawValue)
        let version = try r.choice("version", versions).flatMap(SNMPTarget.Version.init(rawValue:)) ?? (user == nil ? .v2c : .v3)
        target.version = version
        target.community = try r.string("community") ?? "public"
        target.retries = try r.integer("retries", in: 0...5) ?? 1
        if version == .v3 {
            guard let user, !user.isEmpty else {
                throw r.fail("version", "\(r.context): SNMPv3 needs a user: add user = \"monitor\"")
            }
            var credentials = SNMPv3Credentials(user: user)
            let auths = SNMPv3Credentials.Auth.allCases.filter { $0 != .none }.map(\.rawValue)
            if let auth = try r.string("auth") {
                guard let chosen = SNMPv3Credentials.Auth.allCases.first(where: { $0.rawValue.caseInsensitiveEquals(auth) }) else {
                    throw r.fail("auth", "\(r.context): 'auth' = \"\(auth)\" is not allowed: expected one of \(auths.joined(separator: ", "))")
                }
                credentials.auth = chosen
            }
            if let priv = try r.string("priv") {
                guard let chosen = SNMPv3Credentials.Privacy.allCases.first(where: { $0.rawValue.caseInsensitiveEquals(priv) }), chosen != .none else {
                    throw r.fail("priv", "\(r.context): 'priv' = \"\(priv)\" is not allowed: expected DES or AES")
                }
                credentials.privacy = chosen
            }
            credentials.authPassword = try r.string("authpass") ?? ""
            credentials.privacyPassword = try r.string("privpass") ?? ""
            if credentials.privacy != .none && credentials.auth == .none {
                throw r.fail("priv", "\(r.context): SNMPv3 privacy needs authentication too: add auth = \"SHA\" and authpass")
            }
            if credentials.auth != .none && credentials.authPassword.count < 8 {
                throw r.fail("authpass", "\(r.context): 'authpass' must have at least 8 characters (SNMPv3 rule)")
            }
            if credentials.privacy != .none && credentials.privacyPassword.count < 8 {
                throw r.fail("privpass", "\(r.context): 'privpass' must have at least 8 characters (SNMPv3 rule)")
            }
            target.v3 = credentials
        }
        var probe = SNMPDeviceProbe(target: target)
        // "0s" turns the two-poll rate measurement off.
        probe.rateWindow = try r.duration("rate_window", atLeast: .zero).flatMap { $0 == .zero ? nil : $0 }
        probe.standardProfile = try r.bool("profile") ?? true
        probe.custom = try customOIDs(&r)
        if !probe.standardProfile && probe.custom.isEmpty {
            throw r.fail("profile", "\(r.context): with profile = false, list the OIDs to poll in 'oids'")
        }
        return probe
    }

    /// `oids = [{ name = "rsrp", oid = "1.3.6…", type = "gauge" }, …]`
    private static func customOIDs(_ r: inout TableReader) throws(ConfigError) -> [SNMPDeviceProbe.CustomOID] {
        guard let node = r.table["oids"] else { return [] }
        _ = try? r.string("oids")  // marks the key as used; its shape is checked below
        guard case let .array(items) = node.value else {
            throw r.fail("oids", "\(r.context): 'oids' must be a list of { name = \"…\", oid = \"1.3.6.1…\", type = \"gauge\" }")
        }
        var out: [SNMPDeviceProbe.CustomOID] = []
        for item in items {
            guard case let .table(table) = item.value else {
                throw ConfigError(source: r.source, line: item.line, message: "\(r.context): each entry of 'oids' must be { name = \"…\", oid = \"…\", type = \"gauge\" }")
            }
            var entry = TableReader(table, source: r.source, context: "\(r.context), oids entry on line \(item.line)")
            try entry.rejectUnknown(allowed: ["name", "oid", "type"])
            let name = try entry.requiredString("name", example: "\"rsrp\"")
            let text = try entry.requiredString("oid", example: "\"1.3.6.1.4.1.2011.5.25.31.1.1.1.1.5.1\"")
            guard let oid = OID(text) else {
                throw entry.fail("oid", "\(entry.context): 'oid' = \"\(text)\" must be numeric, like \"1.3.6.1.2.1.1.3.0\" (no MIB names)")
            }
            let kinds = SNMPDeviceProbe.CustomOID.Kind.allCases.map(\.rawValue)
            let kind = try entry.choice("type", kinds).flatMap(SNMPDeviceProbe.CustomOID.Kind.init(rawValue:)) ?? .gauge
            out.append(.init(name: name, oid: oid, kind: kind))
        }
        return out
    }
}

extension String {
    func caseInsensitiveEquals(_ other: String) -> Bool { lowercased() == other.lowercased() }
}
