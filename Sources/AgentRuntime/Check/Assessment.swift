import Probes
import SNMP

/// How one probe did, in the three words a focal point needs.
public enum Verdict: String, Sendable {
    case ok, degraded, failed

    func word(_ language: Language) -> String {
        switch self {
        case .ok: language.pick("OK", "TỐT")
        case .degraded: language.pick("DEGRADED", "KÉM")
        case .failed: language.pick("FAILED", "LỖI")
        }
    }
}

/// One probe's verdict, its key figures and a note, in the user's language.
public struct Assessment: Sendable {
    public let probe: ConfiguredProbe
    public let outcome: ProbeOutcome
    public let verdict: Verdict
    public let figures: String
    public let note: String
    /// Extra lines under the probe's row (one per interface of an SNMP device).
    public let details: [String]

    /// Thresholds above which a passing probe is called degraded (documented in the README).
    static let degradedLoss = 0.02
    static let degradedMedianRTT = 0.150
    static let degradedJitter = 0.030
    static let slowHTTP = 3.0
    static let slowDNS = 1.0
    static let slowConnect = 1.0
    static let certificateWarningDays = 14.0
    static let recentRestart = 3600.0
    /// Free MiB when the PC is short of memory (under 10% or 300 MiB available), else nil.
    static func memoryShortage(_ i: HostInventory) -> Int? {
        guard i.memTotal > 0 else { return nil }
        let free = i.memAvailable
        return free < i.memTotal / 10 || free < 300 << 20 ? free >> 20 : nil
    }

    /// Local disks with less than 10% free.
    static func fullDisks(_ i: HostInventory) -> [HostInventory.Disk] {
        i.disks.filter { $0.size > 0 && Double($0.free) / Double($0.size) < 0.10 }
    }

    /// LTE RSRP below -105 dBm and SNR below 0 dB carry little traffic.
    static let weakRSRP = -105.0
    static let poorSNR = 0.0
    static let interfaceLines = 32

    init(_ probe: ConfiguredProbe, _ outcome: ProbeOutcome, language: Language) {
        self.probe = probe
        self.outcome = outcome
        let f = Figures(language: language)
        let l = language
        var verdict: Verdict = outcome.ok ? .ok : .failed
        var notes: [String] = []
        var figures = ""
        var details: [String] = []
        switch outcome.result {
        case let host as HostResult:
            let i = host.inventory
            let gib = { (bytes: Int) in f.number(Double(bytes) / 1_073_741_824, decimals: 1) + " GiB" }
            var parts = ["RAM " + gib(i.memTotal) + " (" + f.percent(Double(i.memAvailable) / Double(max(i.memTotal, 1)))
                         + l.pick(" free)", " trống)")]
            for d in i.disks where d.size > 0 {
                parts.append(l.pick("disk ", "ổ ") + d.mount + " " + f.percent(Double(d.free) / Double(d.size)) + l.pick(" free", " trống"))
            }
            parts.append(l.pick("up ", "bật ") + f.uptime(i.uptime))
            figures = parts.joined(separator: " · ")
            if let low = Self.memoryShortage(i) {
                verdict = .degraded
                notes.append(l.pick("only \(low) MiB of memory free", "chỉ còn \(low) MiB bộ nhớ trống"))
            }
            for d in Self.fullDisks(i) {
                verdict = .degraded
                notes.append(l.pick("disk \(d.mount) nearly full", "ổ \(d.mount) gần đầy"))
            }
        case let modem as ModemResult:
            let m = modem.status
            var parts = [m.accessTechnologies.joined(separator: "/").uppercased(), m.operatorName]
            if let rsrp = m.rsrp { parts.append("RSRP " + f.number(rsrp, decimals: 0) + " dBm") }
            if let snr = m.snr { parts.append("SNR " + f.number(snr, decimals: 1) + " dB") }
            if let cell = m.cellID, let tac = m.tac { parts.append(l.pick("cell ", "trạm ") + "\(m.mcc)-\(m.mnc) TAC \(tac) CID \(cell)") }
            figures = parts.filter { !$0.isEmpty }.joined(separator: " · ")
            if outcome.ok {
                if let rsrp = m.rsrp, rsrp < Self.weakRSRP {
                    verdict = .degraded
                    notes.append(l.pick("weak 4G signal", "sóng 4G yếu"))
                }
                if let snr = m.snr, snr < Self.poorSNR {
                    verdict = .degraded
                    notes.append(l.pick("noisy 4G signal", "sóng 4G nhiễu"))
                }
                if modem.signalRearmed {
                    notes.append(l.pick("signal polling was off and has been switched on: figures come at the next check",
                                        "ModemManager đã tắt đo sóng, nay đã bật lại: số liệu có ở lần kiểm tra sau"))
                }
            }
        case let device as SNMPDeviceResult:
            let s = device.current.system
            let up = device.current.interfaces.filter(\.operUp).count
            figures = [s.name.isEmpty ? nil : s.name,
                       s.uptimeTicks > 0 ? l.pick("up ", "chạy ") + f.uptime(Double(s.uptimeTicks) / 100) : nil,
                       device.current.interfaces.isEmpty ? nil : "\(device.current.interfaces.count) " + l.pick("interfaces", "cổng") + " (\(up) up)"]
                .compactMap { $0 }.joined(separator: " · ")
            if device.rebooted {
                verdict = .degraded
                notes.append(l.pick("the device restarted between the two polls", "thiết bị vừa khởi động lại giữa hai lần đo"))
            } else if s.uptimeTicks > 0, Double(s.uptimeTicks) / 100 < Self.recentRestart {
                verdict = .degraded
                notes.append(l.pick("restarted \(f.uptime(Double(s.uptimeTicks) / 100)) ago", "khởi động lại cách đây \(f.uptime(Double(s.uptimeTicks) / 100))"))
            }
            let rates = device.rates
            for i in device.current.interfaces.prefix(Self.interfaceLines) {
                var line = "\(i.label)  " + (i.operUp ? "up" : i.adminUp ? "down" : l.pick("disabled", "tắt"))
                if i.speed > 0 { line += "  " + f.bitRate(i.speed) }
                if let rate = rates[i.label] {
                    line += "  in " + (rate.inBits.map(f.bitRate) ?? "–") + "  out " + (rate.outBits.map(f.bitRate) ?? "–")
                }
                if i.inErrors + i.outErrors > 0 { line += l.pick("  errors ", "  lỗi ") + "\(i.inErrors)/\(i.outErrors)" }
                details.append(line)
            }
            if device.current.interfaces.count > Self.interfaceLines {
                details.append(l.pick("… \(device.current.interfaces.count - Self.interfaceLines) more (see --json)",
                                      "… thêm \(device.current.interfaces.count - Self.interfaceLines) cổng (xem --json)"))
            }
            for (name, value) in device.current.custom.sorted(by: { $0.key < $1.key }) {
                details.append("\(name) = \(value.text)")
            }
        case let icmp as ICMPEchoResult:
            let s = icmp.statistics
            figures = l.pick("loss ", "mất ") + f.percent(s.loss) + " (\(s.sent - s.received)/\(s.sent))"
            if let median = s.median { figures += l.pick(" · median ", " · trung vị ") + f.duration(median) }
            if let jitter = s.jitter { figures += " · jitter " + f.duration(jitter) }
            if outcome.ok {
                if s.loss >= Self.degradedLoss {
                    verdict = .degraded
                    notes.append(l.pick("\(f.percent(s.loss)) of echoes lost", "mất \(f.percent(s.loss)) gói tin"))
                }
                if let median = s.median, median > Self.degradedMedianRTT {
                    verdict = .degraded
                    notes.append(l.pick("high latency", "độ trễ cao"))
                }
                if let jitter = s.jitter, jitter > Self.degradedJitter {
                    verdict = .degraded
                    notes.append(l.pick("unstable latency", "độ trễ không ổn định"))
                }
            }
        case let tcp as TCPConnectResult:
            figures = l.pick("connect ", "kết nối ") + f.duration(tcp.connectSeconds)
            if outcome.ok && tcp.connectSeconds > Self.slowConnect {
                verdict = .degraded
                notes.append(l.pick("slow to connect", "kết nối chậm"))
            }
        case let dns as DNSResult:
            figures = "\(DNSMessage.rcodeName(dns.rcode)) · \(dns.answerCount) " + l.pick("answers", "bản ghi") + " · " + f.duration(dns.seconds)
            if outcome.ok && dns.seconds > Self.slowDNS {
                verdict = .degraded
                notes.append(l.pick("slow resolver", "DNS phản hồi chậm"))
            }
        case let http as HTTPResult:
            let t = http.response.times
            figures = "HTTP \(http.response.status) · " + f.duration(t.total)
            let phases = http.phases.filter { $0.0 != "transfer" && $0.1 >= 0.0005 }
            if !phases.isEmpty {
                let names = ["resolve": "DNS", "connect": l.pick("connect", "kết nối"), "tls": "TLS", "processing": l.pick("wait", "chờ")]
                figures += " (" + phases.map { "\(names[$0.0] ?? $0.0) \(f.duration($0.1))" }.joined(separator: ", ") + ")"
            }
            if let end = http.response.certificates.compactMap(\.notAfter).min() {
                let days = Double(end - HTTPProbe.now()) / 86400
                figures += l.pick(" · cert ", " · chứng chỉ ") + f.number(days, decimals: 0) + l.pick(" d", " ngày")
                if outcome.ok && days < Self.certificateWarningDays {
                    verdict = .degraded
                    notes.append(l.pick("certificate expires in \(f.number(days, decimals: 0)) days", "chứng chỉ hết hạn sau \(f.number(days, decimals: 0)) ngày"))
                }
            }
            if outcome.ok && t.total > Self.slowHTTP {
                verdict = .degraded
                notes.append(l.pick("slow", "chậm"))
            }
        default:
            figures = "–"
        }
        if let failure = outcome.failure {
            notes.insert(FailureText.describe(failure, target: probe.spec.target.label, language: language), at: 0)
        }
        self.verdict = verdict
        self.figures = figures
        self.note = notes.joined(separator: "; ")
        self.details = details
    }
}
