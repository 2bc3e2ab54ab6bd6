import Alerting
import Foundation
import WatchModel

/// 08:15 on 2 December 2026 in Vietnam (01:15 UTC), and 09:02 the same day.
let eightFifteen: TimestampMs = 1_796_174_100_000
let nineOhTwo: TimestampMs = 1_796_176_920_000

/// The shipped line-down rule's words.
func lineDownRule(severity: AlertRule.Severity = .critical) throws -> AlertRule {
    AlertRule(name: "DedicatedLineDown", expression: try RuleExpression.parse(#"last_over_time(probe_path_up{path="dedicated"}[2m]) < 1"#),
              severity: severity, labels: ["team": "son-tinh"],
              annotations: ["summary_vi": "Mất đường truyền chuyên dùng tại {{site}}", "summary_en": "Dedicated line down at {{site}}"])
}

/// A notice about the commune of Tân Lập, with everything the collector adds.
func tanLap(_ change: IncidentChange, context: NoticeContext? = nil, site: String = "QNG-TL") throws -> AlertNotice {
    AlertNotice(rule: try lineDownRule(), labels: ["site": site, "path": "dedicated"], change: change, value: 0,
                since: eightFifteen, at: change == .resolved ? nineOhTwo : eightFifteen, key: "DedicatedLineDown|site=\(site)",
                context: context ?? NoticeContext(siteName: "UBND xã Tân Lập", district: "Sơn Tịnh",
                                                  alsoAffected: ["Cổng dịch vụ công không truy cập được", "DNS lỗi"],
                                                  acknowledgeURL: "https://cw.quangngai.example/ack/QNG-TL-7f3a", team: "Đội Sơn Tịnh"))
}

/// Waits (bounded) until `condition` holds, polling.
func eventually(_ seconds: Double, _ condition: () async -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(100))
    }
    return await condition()
}
