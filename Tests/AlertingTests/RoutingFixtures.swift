import Foundation
@testable import Alerting
import WatchModel

/// Instants and notices for the routing tests, with times written as people read them.
enum RoutingFixtures {
    /// "2026-12-07 07:30" in Vietnam time (UTC+7), read by Foundation so that the code under test
    /// is not its own judge.
    static func vn(_ text: String) -> TimestampMs {
        utc(text.replacingOccurrences(of: " ", with: "T") + ":00+07:00")
    }

    /// "2026-12-07T00:30:00Z".
    static func utc(_ iso: String) -> TimestampMs {
        let formatter = ISO8601DateFormatter()
        guard let date = formatter.date(from: iso) else { fatalError("bad test time \(iso)") }
        return TimestampMs((date.timeIntervalSince1970 * 1000).rounded())
    }

    static let second: Int64 = 1_000
    static let minute: Int64 = 60_000
    static let hour: Int64 = 3_600_000

    static func rule(_ name: String, _ severity: AlertRule.Severity) -> AlertRule {
        AlertRule(name: name, expression: try! RuleExpression.parse("probe_up < 1"), severity: severity)
    }

    /// A change of the incident of `rule` at `site` (in `district`, when given).
    static func notice(_ name: String, _ severity: AlertRule.Severity, site: String, district: String? = nil, _ change: IncidentChange = .fired,
                       at: TimestampMs) -> AlertNotice {
        var labels = ["site": site]
        if let district { labels["district"] = district }
        return AlertNotice(rule: rule(name, severity), labels: labels, change: change, value: 0, since: at, at: at,
                           key: name + "|" + LabelText.encode(["site": site]))
    }

    /// Two teams, the three kinds of route the example ships, escalation on critical notices.
    static let teams = """
        receivers:
          - {name: centre, kind: webhook, url: "http://127.0.0.1:9/x"}
          - {name: t1, kind: telegram, token: "x", chat: "1"}
          - {name: t2, kind: telegram, token: "x", chat: "2"}
          - {name: sms, kind: gateway, url: "http://127.0.0.1:9/sms"}
          - {name: mail, kind: email, smtp: "smtp://127.0.0.1:9"}
        people:
          - {name: An, phone: "+84900000001"}
          - {name: Bình}
          - {name: Cường}
          - {name: Dung}
          - {name: Em}
        schedules:
          - name: s1
            working_hours: {days: mon-fri, from: "07:30", to: "17:00"}
            holidays: [2026-12-09]
            on_call: {people: [Bình, Cường], handover: "mon 08:00", start: 2026-11-30}
          - name: s2
            working_hours: {days: mon-fri, from: "07:30", to: "17:00"}
            on_call: {people: [Dung, Em], handover: "08:00"}
        teams:
          - {name: Đội 1, districts: [Ba Tơ, Minh Long], members: [An, Bình, Cường], receivers: [t1], schedule: s1, lead: An}
          - {name: Đội 2, districts: [Bình Sơn], sites: [QN-090], members: [Dung, Em], receivers: [t2], schedule: s2, lead: Dung}
        route:
          receiver: centre
          team_receivers: true
          routes:
            - matchers: [severity=critical]
              receivers: [sms]
              to: on_call
              escalate:
                - {after: 15m, to: lead}
                - {after: 45m, to: team, receivers: [mail]}
            - matchers: [severity=warning]
              group_by: [alertname, district]
              active: working_hours
              when_inactive: hold
            - matchers: [severity=info]
              active: working_hours
              when_inactive: drop
        """

    static func teamsDispatcher() throws -> Dispatcher {
        Dispatcher(config: try RoutingFile.parse(teams, source: "routing.yml"))
    }
}

extension Dispatcher.Notification {
    /// "t1 first [A, B]": receiver, reason and the sites listed, for compact expectations.
    var summary: String {
        let reason = switch self.reason {
        case .first: "first"
        case .update: "update"
        case .repeat: "repeat"
        case let .escalation(level): "escalation\(level)"
        }
        return "\(receiver) \(reason) [\(notices.map { ($0.labels["site"] ?? "?") + ($0.firing ? "" : " resolved") }.joined(separator: ", "))]"
    }
}
