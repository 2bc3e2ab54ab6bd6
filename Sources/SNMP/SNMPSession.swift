import CNetSNMP
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The one owner of a net-snmp single-session handle (`snmp_sess_*`): targets never share state.
///
/// Every call blocks until the agent answers or the timeout and retries run out, so a session
/// belongs to one thread at a time (the probes run each device on a thread of its own).
public final class SNMPSession {
    public let target: SNMPTarget
    private let handle: UnsafeMutableRawPointer

    /// net-snmp keeps SNMPv3 users and engine ids in one process-wide table; opening and closing
    /// v3 sessions one at a time keeps two threads from changing it at once.
    private static let v3OpenLock = Mutex(())

    public init(_ target: SNMPTarget) throws(SNMPError) {
        _ = NetSNMPLibrary.ready
        self.target = target
        var session = netsnmp_session()
        snmp_sess_init(&session)
        let peer = strdup(target.peerName)
        defer { free(peer) }
        session.peername = peer
        session.timeout = Int(target.timeout.components.seconds * 1_000_000 + target.timeout.components.attoseconds / 1_000_000_000_000)
        session.retries = Int32(target.retries)
        var owned: [UnsafeMutableRawPointer?] = []
        defer { owned.forEach { free($0) } }
        switch target.version {
        case .v1, .v2c:
            session.version = target.version == .v1 ? Int(SNMP_VERSION_1) : Int(SNMP_VERSION_2c)
            let community = strdup(target.community)
            owned.append(community)
            session.community = UnsafeMutableRawPointer(community)?.assumingMemoryBound(to: u_char.self)
            session.community_len = strlen(target.community)
        case .v3:
            guard let v3 = target.v3 else { throw SNMPError(.invalidRequest, "SNMPv3 needs a user name") }
            session.version = Int(SNMP_VERSION_3)
            let user = strdup(v3.user)
            owned.append(user)
            session.securityName = user
            session.securityNameLen = strlen(v3.user)
            let rc = cw_session_set_v3(&session, v3.auth.code, v3.authPassword, v3.privacy.code, v3.privacyPassword)
            owned.append(UnsafeMutableRawPointer(session.securityAuthProto))
            owned.append(UnsafeMutableRawPointer(session.securityPrivProto))
            if rc != 0 {
                throw SNMPError(.invalidRequest, "cannot derive SNMPv3 keys for user \(v3.user): passwords must be at least 8 characters")
            }
        }
        let opened = withUnsafeMutablePointer(to: &session) { pointer -> UnsafeMutableRawPointer? in
            guard target.version == .v3 else { return snmp_sess_open(pointer) }
            nonisolated(unsafe) let shared = pointer
            return Self.v3OpenLock.withLock { _ in
                nonisolated(unsafe) let handle = snmp_sess_open(shared)
                return handle
            }
        }
        guard let opened else {
            var libraryError: Int32 = 0, systemError: Int32 = 0
            var text: UnsafeMutablePointer<CChar>?
            snmp_error(&session, &systemError, &libraryError, &text)
            defer { free(text) }
            let detail = text.map { String(cString: $0) } ?? "unknown error"
            let kind = SNMPError.kind(forLibraryError: libraryError)
            throw SNMPError(kind == .other ? .openFailed : kind, Self.describe(kind, target: target, detail: detail))
        }
        handle = opened
    }

    deinit {
        if target.version == .v3 {
            nonisolated(unsafe) let session = handle
            Self.v3OpenLock.withLock { _ in cw_forget_v3_user(session) }
        }
        snmp_sess_close(handle)
    }

    /// GET of the given OIDs, in order.
    public func get(_ oids: [OID]) throws(SNMPError) -> [(OID, SNMPValue)] {
        try request(Int32(cw_SNMP_MSG_GET), oids)
    }

    /// Walks the subtree under `root` with GETBULK (GETNEXT for v1), in OID order.
    public func walk(_ root: OID, maxRepetitions: Int = 25, limit: Int = 50_000) throws(SNMPError) -> [(OID, SNMPValue)] {
        var out: [(OID, SNMPValue)] = []
        var cursor = root
        while out.count < limit {
            let batch = target.version == .v1
                ? try request(Int32(cw_SNMP_MSG_GETNEXT), [cursor], ignoreNoSuchName: true)
                : try request(Int32(cw_SNMP_MSG_GETBULK), [cursor], bulk: maxRepetitions)
            var advanced = false
            for (oid, value) in batch {
                guard value != .endOfMibView, oid.isInside(root), cursor < oid else { return out }
                out.append((oid, value))
                cursor = oid
                advanced = true
            }
            if !advanced { return out }
        }
        return out
    }

    private func request(_ type: Int32, _ oids: [OID], bulk: Int? = nil, ignoreNoSuchName: Bool = false) throws(SNMPError) -> [(OID, SNMPValue)] {
        guard let pdu = snmp_pdu_create(type) else { throw SNMPError(.other, "cannot create an SNMP request") }
        if let bulk { cw_pdu_set_bulk(pdu, 0, bulk) }
        for oid in oids {
            var raw = oid.components.map { CNetSNMP.oid($0) }
            snmp_add_null_var(pdu, &raw, raw.count)
        }
        var response: UnsafeMutablePointer<netsnmp_pdu>?
        // The library frees the request PDU in every case.
        let status = snmp_sess_synch_response(handle, pdu, &response)
        defer { if let response { snmp_free_pdu(response) } }
        guard status == STAT_SUCCESS, let reply = response?.pointee else {
            if status == STAT_TIMEOUT {
                throw SNMPError(.timeout, Self.describe(.timeout, target: target, detail: "no response"))
            }
            var libraryError: Int32 = 0, systemError: Int32 = 0
            var text: UnsafeMutablePointer<CChar>?
            snmp_sess_error(handle, &systemError, &libraryError, &text)
            defer { free(text) }
            let kind = SNMPError.kind(forLibraryError: libraryError)
            throw SNMPError(kind, Self.describe(kind, target: target, detail: text.map { String(cString: $0) } ?? "error \(libraryError)"))
        }
        if reply.errstat != SNMP_ERR_NOERROR {
            // SNMPv1 signals the end of a walk with noSuchName.
            if ignoreNoSuchName && reply.errstat == SNMP_ERR_NOSUCHNAME { return [] }
            let index = Int(reply.errindex)
            let culprit = index >= 1 && index <= oids.count ? " (\(oids[index - 1]))" : ""
            throw SNMPError(.errorStatus, "\(target.host):\(target.port) answered \(SNMPError.statusName(Int(reply.errstat)))\(culprit)")
        }
        var out: [(OID, SNMPValue)] = []
        var node = reply.variables
        while let variable = node?.pointee {
            let name = OID(Array(UnsafeBufferPointer(start: variable.name, count: variable.name_length)).map { UInt32(truncatingIfNeeded: $0) })
            out.append((name, Self.value(of: variable)))
            node = variable.next_variable
        }
        return out
    }

    private static func value(of v: netsnmp_variable_list) -> SNMPValue {
        let bytes = { () -> [UInt8] in
            guard let pointer = v.val.string, v.val_len > 0 else { return [] }
            return Array(UnsafeBufferPointer(start: pointer, count: v.val_len))
        }
        let unsigned = { UInt32(truncatingIfNeeded: v.val.integer?.pointee ?? 0) }
        switch v.type {
        case cw_ASN_INTEGER: return .integer(Int64(v.val.integer?.pointee ?? 0))
        case cw_ASN_OCTET_STR: return .octets(bytes())
        case cw_ASN_OPAQUE: return .opaque(bytes())
        case cw_ASN_IPADDRESS: return .ipAddress(bytes())
        case cw_ASN_COUNTER: return .counter32(unsigned())
        case cw_ASN_GAUGE: return .gauge32(unsigned())
        case cw_ASN_TIMETICKS: return .timeticks(unsigned())
        case cw_ASN_COUNTER64:
            guard let c = v.val.counter64?.pointee else { return .counter64(0) }
            return .counter64(UInt64(truncatingIfNeeded: c.high) << 32 | UInt64(truncatingIfNeeded: c.low))
        case cw_ASN_OBJECT_ID:
            let count = v.val_len / MemoryLayout<CNetSNMP.oid>.size
            guard let pointer = v.val.objid, count > 0 else { return .oid(OID([0, 0])) }
            return .oid(OID(Array(UnsafeBufferPointer(start: pointer, count: count)).map { UInt32(truncatingIfNeeded: $0) }))
        case cw_SNMP_NOSUCHOBJECT: return .noSuchObject
        case cw_SNMP_NOSUCHINSTANCE: return .noSuchInstance
        case cw_SNMP_ENDOFMIBVIEW: return .endOfMibView
        default: return .null
        }
    }

    static func describe(_ kind: SNMPError.Kind, target: SNMPTarget, detail: String) -> String {
        let who = "\(target.host):\(target.port)"
        switch kind {
        case .timeout:
            return target.version == .v3
                ? "no SNMP answer from \(who): host down, SNMP not enabled, or an ACL drops us"
                : "no SNMP answer from \(who): host down, wrong community, or an ACL drops us"
        case .authenticationFailure: return "SNMPv3 authentication failed at \(who): wrong password or protocol for user \(target.v3?.user ?? "")"
        case .unknownUser: return "SNMPv3 user \(target.v3?.user ?? "") is unknown to \(who)"
        case .decryptionError: return "SNMPv3 privacy failed at \(who): wrong privacy password or protocol"
        case .unsupportedSecurityLevel: return "\(who) does not support this SNMPv3 security level for user \(target.v3?.user ?? "")"
        case .openFailed: return "cannot open an SNMP session to \(who): \(detail)"
        default: return "SNMP error from \(who): \(detail)"
        }
    }
}

/// net-snmp's process-wide set-up, done once: no MIBs (Debian ships none), no config files, no saved state.
enum NetSNMPLibrary {
    static let ready: Bool = {
        setenv("MIBS", "", 1)
        netsnmp_ds_set_boolean(Int32(NETSNMP_DS_LIBRARY_ID), Int32(NETSNMP_DS_LIB_DONT_READ_CONFIGS), 1)
        netsnmp_ds_set_boolean(Int32(NETSNMP_DS_LIBRARY_ID), Int32(NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD), 1)
        netsnmp_ds_set_boolean(Int32(NETSNMP_DS_LIBRARY_ID), Int32(NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE), 1)
        netsnmp_ds_set_boolean(Int32(NETSNMP_DS_LIBRARY_ID), Int32(NETSNMP_DS_LIB_DONT_PERSIST_STATE), 1)
        snmp_disable_stderrlog()
        init_snmp("commune-agent")
        return true
    }()
}
