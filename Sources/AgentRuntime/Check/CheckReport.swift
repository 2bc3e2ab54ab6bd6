import Probes
import WatchModel

/// The result of `commune-agent check`: each probe assessed, the diagnosis, and the exit status.
public struct CheckReport: Sendable {
    public let assessments: [Assessment]
    public let diagnosis: Diagnosis
    public let language: Language
    public let startedAt: TimestampMs
    /// Up or down per network path (`probe_path_up`).
    public let paths: [PathSummary]

    public init(probes: [ConfiguredProbe], outcomes: [ProbeOutcome], language: Language, startedAt: TimestampMs) {
        assessments = zip(probes, outcomes).map { Assessment($0, $1, language: language) }
        diagnosis = Diagnosis(assessments, language: language)
        self.language = language
        self.startedAt = startedAt
        paths = PathSummary.of(outcomes)
    }

    /// 0 when every critical probe passed (degraded still passes), 1 otherwise.
    public var exitStatus: Int32 {
        assessments.contains { $0.probe.spec.critical && $0.verdict == .failed } ? 1 : 0
    }

    /// The table a focal point reads.
    public func table() -> String {
        let l = language
        let header = [l.pick("PROBE", "PHÉP ĐO"), l.pick("TARGET", "ĐÍCH"), l.pick("PATH", "ĐƯỜNG"), l.pick("RESULT", "KẾT QUẢ"), l.pick("FIGURES", "SỐ LIỆU")]
        let rows = assessments.map { a in
            [a.probe.spec.name, Self.clip(a.probe.spec.target.label, 40), a.probe.spec.path, a.verdict.word(l), a.figures]
        }
        var widths = header.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() where i < 4 { widths[i] = max(widths[i], cell.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in i < 4 ? cell + String(repeating: " ", count: widths[i] - cell.count) : cell }
                .joined(separator: "  ")
        }
        let local = WallClock.iso8601(ms: startedAt + 7 * 3_600_000)
        var out = l.pick("CommuneWatch check", "CommuneWatch kiểm tra") + " · " + local.prefix(10) + " " + local.dropFirst(11).prefix(8)
            + l.pick(" (Viet Nam time)", " (giờ Việt Nam)") + "\n\n"
        out += line(header) + "\n"
        for (row, a) in zip(rows, assessments) {
            out += line(row) + "\n"
            let indent = String(repeating: " ", count: widths[0] + 2)
            for detail in a.details { out += indent + "  " + detail + "\n" }
            if !a.note.isEmpty { out += indent + "└ " + a.note + "\n" }
        }
        if paths.count > 1 || paths.contains(where: { $0.path != "default" }) {
            out += "\n" + l.pick("Paths: ", "Đường truyền: ")
                + paths.map { "\($0.path) " + ($0.up ? l.pick("up", "hoạt động") : l.pick("down", "mất")) }.joined(separator: " · ") + "\n"
        }
        out += "\n" + l.pick("Diagnosis: ", "Chẩn đoán: ") + diagnosis.findings[0] + "\n"
        for more in diagnosis.findings.dropFirst() { out += l.pick("Also: ", "Ngoài ra: ") + more + "\n" }
        return out
    }

    /// One JSON object per probe, one per line.
    public func jsonLines() -> String {
        let probeLines = assessments.map { a in
            let o = a.outcome
            var json = JSONWriter()
            json.add("name", a.probe.spec.name)
            json.add("kind", a.probe.spec.target.kind.rawValue)
            json.add("target", a.probe.spec.target.label)
            json.add("path", a.probe.spec.path)
            json.add("role", a.probe.role.rawValue)
            json.add("critical", a.probe.spec.critical)
            json.add("ok", o.ok)
            json.add("verdict", a.verdict.rawValue)
            json.add("error", o.failure.map { FailureText.describe($0, target: a.probe.spec.target.label, language: language) })
            json.add("error_kind", o.failure?.kind.rawValue)
            json.add("started_at", WallClock.iso8601(ms: o.startedAt))
            let metrics = o.measurements.map { m -> (String, String) in
                (SeriesKey(m.metric, m.labels).description, JSONWriter.number(m.value))
            }
            json.add("metrics", raw: JSONWriter.object(metrics))
            json.add("facts", raw: JSONWriter.object(o.facts.sorted { $0.key < $1.key }.map { ($0.key, JSONWriter.quote($0.value)) }))
            if let icmp = o.result as? ICMPEchoResult {
                json.add("rtts", raw: "[" + icmp.rtts.map { JSONWriter.number($0) }.joined(separator: ",") + "]")
            }
            json.add("note", a.note.isEmpty ? nil : a.note)
            return json.object
        }
        let summaries = paths.map { p in
            var json = JSONWriter()
            json.add("kind", "path")
            json.add("target", p.path)
            json.add("path", p.path)
            json.add("ok", p.up)
            json.add("metrics", raw: JSONWriter.object([(SeriesKey(p.sample.metric, p.sample.labels).description, JSONWriter.number(p.sample.value))]))
            json.add("facts", raw: JSONWriter.object([("probes", JSONWriter.quote(String(p.probes)))]))
            return json.object
        }
        let lines = probeLines + summaries
        return lines.joined(separator: "\n") + (lines.isEmpty ? "" : "\n")
    }

    static func clip(_ text: String, _ width: Int) -> String {
        text.count <= width ? text : String(text.prefix(width - 1)) + "…"
    }
}

/// Runs `check`: builds the probe list, runs it once concurrently, and reports.
public enum Check {
    /// The probes `check` runs: the configuration's, then the ad-hoc targets; defaults when both are absent.
    public static func probes(config: AgentConfig?, targets: [String]) throws(ConfigError) -> [ConfiguredProbe] {
        var probes = config?.probes ?? []
        let gateway = TextFile.read("/proc/net/route").flatMap(HostInventory.defaultGateway(routes:))
        for target in targets {
            var probe = try TargetURL.parse(target)
            if probes.contains(where: { $0.spec.name == probe.spec.name }) { probe.spec.name += " #\(probes.count + 1)" }
            if case let .icmp(echo) = probe.spec.target, echo.host == gateway, probe.role == .host { probe.role = .gateway }
            probes.append(probe)
        }
        if config == nil && targets.isEmpty { probes = DefaultTargets.probes() }
        return probes
    }

    public static func run(_ probes: [ConfiguredProbe], language: Language, runner: ProbeRunner = ProbeRunner()) async -> CheckReport {
        let startedAt = WallClock.nowMs()
        let outcomes = await runner.runAll(probes.map(\.spec))
        return CheckReport(probes: probes, outcomes: outcomes, language: language, startedAt: startedAt)
    }
}
