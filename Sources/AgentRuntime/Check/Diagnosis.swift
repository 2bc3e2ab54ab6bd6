import Probes

/// Reasons from the office outwards (PC, gateway, DNS, line, portal) to the likely cause, in one line.
public struct Diagnosis: Sendable {
    /// Most likely cause first; never empty.
    public let findings: [String]

    public init(_ assessments: [Assessment], language l: Language) {
        let f = Figures(language: l)
        var findings: [String] = []
        let failed = assessments.filter { $0.verdict == .failed }
        let byRole = { (role: ProbeRole) in assessments.filter { $0.probe.role == role } }
        let gateways = byRole(.gateway), resolvers = byRole(.resolver), portals = byRole(.portal), hosts = byRole(.host)

        if failed.contains(where: { $0.outcome.failure?.kind == .missingCapability }) {
            findings.append(l.pick(
                "ICMP cannot be measured: run commune-agent as root (sudo) or give it CAP_NET_RAW.",
                "Không đo được ICMP: hãy chạy commune-agent bằng quyền root (sudo) hoặc cấp quyền CAP_NET_RAW."))
        }
        if let g = gateways.first(where: { $0.verdict == .failed && $0.outcome.failure?.kind != .missingCapability && $0.outcome.failure?.kind != .tooLossy }) {
            let target = g.probe.spec.target.label
            findings.append(l.pick(
                "The gateway (office router) \(target) does not answer: check the router's power and this PC's network cable or Wi-Fi.",
                "Cổng mạng (router của văn phòng) \(target) không trả lời: kiểm tra nguồn điện của router và dây mạng hoặc Wi-Fi của máy này."))
        }
        let gatewayAlive = gateways.isEmpty || gateways.contains { $0.outcome.result != nil && $0.verdict != .failed || $0.outcome.failure?.kind == .tooLossy }
        for g in gateways {
            guard let icmp = g.outcome.result as? ICMPEchoResult, icmp.statistics.loss >= Assessment.degradedLoss,
                  icmp.statistics.received > 0 else { continue }
            findings.append(l.pick(
                "The line to the gateway \(g.probe.spec.target.label) loses \(f.percent(icmp.statistics.loss)) of packets: check the LAN cable, the switch port or the Wi-Fi signal.",
                "Đường truyền tới cổng mạng \(g.probe.spec.target.label) mất \(f.percent(icmp.statistics.loss)) gói tin: kiểm tra dây mạng LAN, cổng switch hoặc sóng Wi-Fi."))
        }
        // "Line down" needs evidence beyond DNS: targets that are not resolvers, all unreachable
        // (a portal that fails only because its name did not resolve points at DNS, not the line).
        let reachability: Set<ProbeFailure.Kind> = [.timeout, .unreachable, .noReply, .dnsTimeout]
        let lineTargets = portals + hosts
        let unreachable = { (a: Assessment) in a.verdict == .failed && reachability.contains(a.outcome.failure?.kind ?? .internalError) }
        if gatewayAlive, !lineTargets.isEmpty, lineTargets.allSatisfy(unreachable), resolvers.allSatisfy(unreachable),
           lineTargets.count + resolvers.count > 1 || !gateways.isEmpty {
            findings.append(l.pick(
                gateways.isEmpty ? "Nothing beyond this PC answers: the line (or the modem) is down — call the line provider."
                    : "The gateway answers but nothing beyond it does: the line (or the modem) is down — call the line provider.",
                gateways.isEmpty ? "Không có gì phía ngoài máy này trả lời: đường truyền (hoặc modem) bị mất — hãy báo nhà cung cấp đường truyền."
                    : "Cổng mạng trả lời nhưng không có gì phía sau trả lời: đường truyền (hoặc modem) bị mất — hãy báo nhà cung cấp đường truyền."))
        } else {
            findings += Self.resolverFindings(resolvers, gatewayProbed: !gateways.isEmpty, gatewayAlive: gatewayAlive, l)
            findings += Self.lineFindings(hosts, f, l)
            findings += Self.portalFindings(portals, others: hosts + resolvers, dnsBroken: resolvers.contains { $0.verdict == .failed }, f, l)
        }
        for d in byRole(.device) {
            guard let device = d.outcome.result as? SNMPDeviceResult else { continue }
            let uptime = Double(device.current.system.uptimeTicks) / 100
            if device.rebooted || (uptime > 0 && uptime < Assessment.recentRestart) {
                let name = device.current.system.name.isEmpty ? d.probe.spec.target.label : device.current.system.name
                findings.append(l.pick(
                    "\(name) restarted \(f.uptime(uptime)) ago: if it happens again, check its power supply (UPS, adapter).",
                    "\(name) vừa khởi động lại cách đây \(f.uptime(uptime)): nếu còn lặp lại, hãy kiểm tra nguồn điện (UPS, bộ đổi nguồn)."))
            }
        }
        findings += Self.modemFindings(byRole(.modem), f, l)
        for pc in byRole(.pc) {
            guard let host = pc.outcome.result as? HostResult else { continue }
            if let free = Assessment.memoryShortage(host.inventory) {
                findings.append(l.pick(
                    "This PC has only \(free) MiB of memory free: close programs (or add RAM); that alone makes the internet feel slow.",
                    "Máy này chỉ còn \(free) MiB bộ nhớ trống: hãy đóng bớt chương trình (hoặc nâng RAM); chỉ riêng điều đó đã làm mạng có vẻ chậm."))
            }
            for d in Assessment.fullDisks(host.inventory) {
                let used = f.percent(1 - Double(d.free) / Double(d.size))
                findings.append(l.pick("The disk \(d.mount) of this PC is \(used) full: free some space.",
                                       "Ổ đĩa \(d.mount) của máy này đã đầy \(used): hãy giải phóng bớt dung lượng."))
            }
        }
        if findings.isEmpty, let first = failed.first {
            findings.append(l.pick("\(first.probe.spec.name) failed: ", "\(first.probe.spec.name) lỗi: ") + first.note)
        }
        if findings.isEmpty {
            findings.append(l.pick(
                "Everything answers normally. If the internet still feels slow, the cause is likely this PC (disk, memory, viruses) or one particular website.",
                "Mọi thứ đều trả lời bình thường. Nếu vẫn thấy mạng chậm, nguyên nhân có thể do chính máy tính này (ổ đĩa, bộ nhớ, virus) hoặc một trang web cụ thể."))
        }
        self.findings = findings
    }

    private static func resolverFindings(_ resolvers: [Assessment], gatewayProbed: Bool, gatewayAlive: Bool, _ l: Language) -> [String] {
        var out: [String] = []
        for r in resolvers where r.verdict == .failed {
            let server = (r.outcome.result as? DNSResult)?.server.host ?? (r.probe.spec.target.label.split(separator: "/").first.map(String.init) ?? "")
            let name: String = if case let .dns(p) = r.probe.spec.target { p.name } else { "" }
            switch r.outcome.failure?.kind {
            case .nxdomain:
                out.append(l.pick("The DNS resolver \(server) says \(name) does not exist (NXDOMAIN): check the name, or the DNS setting.",
                                  "Máy chủ DNS \(server) báo tên \(name) không tồn tại (NXDOMAIN): kiểm tra tên miền hoặc cấu hình DNS."))
            case .servfail:
                out.append(l.pick("The DNS resolver \(server) fails to resolve \(name) (SERVFAIL): the resolver or the domain's DNS is broken; try another resolver.",
                                  "Máy chủ DNS \(server) không phân giải được \(name) (SERVFAIL): máy chủ DNS hoặc tên miền đang lỗi; hãy thử máy chủ DNS khác."))
            case .dnsRefused:
                out.append(l.pick("The DNS resolver \(server) refuses to answer this PC (REFUSED): check the DNS setting.",
                                  "Máy chủ DNS \(server) từ chối trả lời máy này (REFUSED): kiểm tra cấu hình DNS."))
            case _ where gatewayAlive && !gatewayProbed:
                out.append(l.pick("The DNS resolver \(server) does not answer: check the DNS setting.",
                                  "Máy chủ DNS \(server) không trả lời: kiểm tra cấu hình DNS."))
            case _ where gatewayAlive:
                out.append(l.pick("The gateway answers but the DNS resolver \(server) does not: check the DNS setting.",
                                  "Cổng mạng trả lời nhưng máy chủ DNS \(server) không trả lời: kiểm tra cấu hình DNS."))
            default: break
            }
        }
        return out
    }

    private static func lineFindings(_ hosts: [Assessment], _ f: Figures, _ l: Language) -> [String] {
        hosts.compactMap { h in
            guard let icmp = h.outcome.result as? ICMPEchoResult, icmp.statistics.received > 0,
                  icmp.statistics.loss >= Assessment.degradedLoss else { return nil }
            return l.pick("The line loses \(f.percent(icmp.statistics.loss)) of packets to \(h.probe.spec.target.label): report it to the line provider with this figure.",
                          "Đường truyền mất \(f.percent(icmp.statistics.loss)) gói tin tới \(h.probe.spec.target.label): hãy báo nhà cung cấp đường truyền kèm con số này.")
        }
    }

    private static func portalFindings(_ portals: [Assessment], others: [Assessment], dnsBroken: Bool, _ f: Figures, _ l: Language) -> [String] {
        var out: [String] = []
        let othersFine = portals.contains { $0.verdict != .failed } || others.contains { $0.verdict != .failed }
        for p in portals {
            let host = (p.probe.spec.target.label.split(separator: "/").dropFirst().first).map(String.init) ?? p.probe.spec.target.label
            switch p.outcome.failure?.kind {
            case .certificateExpired:
                out.append(l.pick("The TLS certificate of \(host) has expired: the fault is on the portal's side, not in this office.",
                                  "Chứng chỉ TLS của \(host) đã hết hạn: lỗi nằm ở phía cổng thông tin, không phải tại văn phòng."))
            case .tlsVerificationFailed:
                out.append(l.pick("The TLS certificate of \(host) is not trusted: check this PC's date and time; otherwise the portal uses a certificate from an unknown authority.",
                                  "Chứng chỉ TLS của \(host) không được tin cậy: kiểm tra ngày giờ của máy này; nếu đúng thì cổng thông tin dùng chứng chỉ không rõ nguồn gốc."))
            case .wrongStatus:
                let status = (p.outcome.result as? HTTPResult)?.response.status ?? 0
                out.append(l.pick("\(host) answers with an error (HTTP \(status)): the portal has a problem; the line works.",
                                  "\(host) trả về lỗi (HTTP \(status)): cổng thông tin đang có sự cố; đường truyền vẫn hoạt động."))
            case .bodyMismatch:
                out.append(l.pick("\(host) answers but not with the expected page (maintenance page?): the portal has a problem.",
                                  "\(host) có trả lời nhưng không đúng trang mong đợi (trang bảo trì?): cổng thông tin đang có sự cố."))
            case .resolveFailed where dnsBroken:
                continue  // a consequence of the resolver finding above, not a second cause
            case .some(let kind) where [.timeout, .unreachable, .refused].contains(kind) && othersFine:
                out.append(l.pick("\(host) does not answer while other sites do: the portal itself is down or blocks this office.",
                                  "\(host) không trả lời trong khi các địa chỉ khác vẫn trả lời: chính cổng thông tin đang ngừng hoạt động hoặc chặn văn phòng này."))
            case .some:
                out.append(l.pick("\(host) failed: ", "\(host) lỗi: ") + p.note)
            case nil:
                guard p.verdict == .degraded, let http = p.outcome.result as? HTTPResult,
                      http.response.times.total > Assessment.slowHTTP else { continue }
                let phases = Dictionary(uniqueKeysWithValues: http.phases)
                let waiting = phases["processing", default: 0] + phases["transfer", default: 0]
                let total = f.duration(http.response.times.total)
                if waiting >= 0.5 * http.response.times.total {
                    out.append(l.pick("\(host) is slow (\(total), mostly waiting for the server): the portal is overloaded, not your line.",
                                      "\(host) chậm (\(total), chủ yếu do chờ máy chủ xử lý): cổng thông tin đang quá tải, không phải do đường truyền."))
                } else {
                    out.append(l.pick("\(host) is slow to reach (\(total), mostly connecting): the line is congested.",
                                      "\(host) kết nối chậm (\(total), chủ yếu ở bước kết nối): đường truyền đang nghẽn."))
                }
            }
        }
        return out
    }

    private static func modemFindings(_ modems: [Assessment], _ f: Figures, _ l: Language) -> [String] {
        modems.compactMap { m in
            switch m.outcome.failure?.kind {
            case .noModem:
                return l.pick("No 4G modem is connected (or ModemManager does not see it): the office has no backup path.",
                              "Không thấy modem 4G nào (hoặc ModemManager không nhận): văn phòng không có đường dự phòng.")
            case .missingTool:
                return l.pick("ModemManager is not installed or not running: the 4G modem cannot be read (apt-get install modemmanager).",
                              "Chưa cài hoặc chưa chạy ModemManager: không đọc được modem 4G (apt-get install modemmanager).")
            case .modemFailed where m.outcome.failure?.detail.includes("no SIM") == true:
                return l.pick("The 4G modem has no SIM card: the backup path cannot work.",
                              "Modem 4G không có thẻ SIM: đường dự phòng không thể hoạt động.")
            case .some:
                return l.pick("The 4G modem: ", "Modem 4G: ") + m.note
            case nil:
                guard let modem = m.outcome.result as? ModemResult, let rsrp = modem.status.rsrp, rsrp < Assessment.weakRSRP else { return nil }
                return l.pick("The 4G signal is weak (RSRP \(f.number(rsrp, decimals: 0)) dBm): the backup may not carry the office; move the modem or its antenna higher, nearer a window.",
                              "Sóng 4G yếu (RSRP \(f.number(rsrp, decimals: 0)) dBm): đường dự phòng có thể không đủ cho văn phòng; hãy đặt modem hoặc ăng-ten cao hơn, gần cửa sổ.")
            }
        }
    }
}
