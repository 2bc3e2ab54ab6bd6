import Foundation
import Testing
import TestSupport
@testable import Alerting
import WatchModel

/// The routing file: the shipped example loads; every mistake names the file, the line and what
/// was expected; teams are found by site, then district; the tree routes as Alertmanager's does.
@Suite struct RoutingFileTests {
    typealias F = RoutingFixtures

    @Test func theShippedExampleLoads() throws {
        let config = try RoutingFile.load(path: repositoryRoot.path + "/alerts/routing.example.yml")
        #expect(config.teams.map(\.name) == ["Đội 1", "Đội 2"])
        #expect(Set(config.receivers.map(\.kind)) == [.telegram, .gateway, .email, .webhook])
        let telegram = try #require(config.receivers.first { $0.name == "doi1-telegram" })
        #expect(telegram.settings["chat"] == "-1001000000001" && telegram.settings["token"] != nil && telegram.settings["name"] == nil)
        #expect(telegram.origin.hasSuffix("routing.example.yml:15"), "\(telegram.origin)")
        #expect(config.team(for: ["site": "QN-001", "district": "Ba Tơ"])?.name == "Đội 1")
        #expect(config.team(for: ["site": "QNG-LYSON", "district": "Ba Tơ"])?.name == "Đội 2", "a site listed by hand wins over its district")
        let schedule = try #require(config.schedule("Đội 1"))
        #expect(schedule.isWorkingTime(F.vn("2026-12-07 08:00")) && !schedule.isWorkingTime(F.vn("2026-09-02 08:00")))
        #expect(schedule.onCall(at: F.vn("2026-01-05 08:00")) == "Nguyễn Văn An")
        // Critical pages at once; warnings wait for working hours; the tree's defaults as documented.
        let critical = config.route.match(["severity": "critical", "alertname": "DedicatedLineDown", "team": "Đội 1"])
        #expect(critical.count == 1 && critical[0].groupWait == nil && critical[0].to == .onCall && critical[0].escalate.count == 2)
        #expect(config.receivers(of: critical[0], team: config.team(named: "Đội 1")) == ["trung-tam", "sms", "doi1-telegram"])
        let warning = config.route.match(["severity": "warning", "team": "Đội 2"])
        #expect(warning.count == 1 && warning[0].active == .workingHours && warning[0].groupBy == .labels(["alertname", "district"]))
        #expect(warning[0].groupInterval == 300_000 && warning[0].repeatInterval == 4 * F.hour)
    }

    @Test func aMissingRoutingFileMeansBroadcastAWrongOneIsAnError() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("routing-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(try RoutingFile.loadIfPresent(path: directory + "/routing.yml") == nil)
        try "route:\n  receiver: nobody\n".write(toFile: directory + "/routing.yml", atomically: true, encoding: .utf8)
        #expect(throws: RoutingFileError("\(directory)/routing.yml:2: unknown receiver 'nobody' (none is defined)")) {
            try RoutingFile.loadIfPresent(path: directory + "/routing.yml")
        }
    }

    @Test func theRuleLoaderLeavesTheRoutingFilesAlone() throws {
        let rules = try RuleFile.loadDirectory(repositoryRoot.path + "/alerts")
        #expect(!rules.isEmpty)
    }

    /// The lines before the route of each mistake below (8 lines: the route starts at line 9).
    static let head = """
        receivers:
          - {name: w, kind: webhook, url: "http://127.0.0.1:9/"}
        people:
          - {name: An}
        schedules:
          - {name: s, working_hours: {days: mon-fri, from: "07:30", to: "17:00"}, on_call: {people: [An], handover: "mon 08:00"}}
        teams:
          - {name: T, districts: [X], members: [An], receivers: [w], schedule: s, lead: An}

        """

    @Test(arguments: [
        (head + "route:\n  receiver: nobody\n", 10, "unknown receiver 'nobody' (known: w)"),
        (head + "route:\n  receiver: w\n  group_wait: 5 minutes\n", 11, "'group_wait' must be a duration such as 30s"),
        (head + "route:\n  receiver: w\n  repeat_interval: 0.5x\n", 11, "'repeat_interval' must be a duration"),
        (head + "route:\n  receiver: w\n  group_interval: never\n", 11, "'group_interval' must be a duration such as 30s, 5m, 4h, 7d, found 'never'"),
        (head + "route:\n  receiver: w\n  group_wiat: 5s\n", 11, "unknown key 'group_wiat' in a route"),
        (head + "route:\n  receiver: w\n  routes:\n    - matchers: ['alertname=~\"((\"']\n", 12, "is not a regular expression"),
        (head + "route:\n  receiver: w\n  routes:\n    - matchers: [severity>critical]\n", 12, "expected a matcher such as"),
        (head + "route:\n  receiver: w\n  routes:\n    - matchers: ['team=\"Đội 9\"']\n", 12, "unknown team 'Đội 9' (known: T)"),
        (head + "route:\n  receiver: w\n  matchers: [severity=critical]\n", 11, "the root route takes every notice"),
        (head + "route:\n  receiver: w\n  continue: true\n", 11, "the root route has no siblings"),
        (head + "route:\n  group_by: [site]\n", 10, "this route sends nowhere"),
        (head + "route:\n  receiver: w\n  to: boss\n", 11, "'to' is one of on_call, team, lead"),
        (head + "route:\n  receiver: w\n  active: nights\n", 11, "'active' is one of always, working_hours, outside_working_hours"),
        (head + "route:\n  receiver: w\n  when_inactive: wait\n", 11, "'when_inactive' is one of hold, drop"),
        (head + "route:\n  receiver: w\n  schedule: s2\n", 11, "unknown schedule 's2' (known: s)"),
        (head + "route:\n  receiver: w\n  escalate:\n    - {after: 30m}\n    - {after: 15m}\n", 13, "escalation steps go in order"),
        (head + "route:\n  receiver: w\n  escalate:\n    - {to: lead}\n", 12, "needs 'after'"),
        (head + "route:\n  receiver: w\n  escalate:\n    - {after: 5m, receivers: [pager]}\n", 12, "unknown receiver 'pager'"),
        (head + "route:\n  receiver: w\n  team_receivers: yes please\n", 11, "'team_receivers' must be true or false"),
        (head + "route:\n  receiver: w\n  group_by: [..., site]\n", 11, "stands alone"),
        (head, 1, "needs 'route:'"),
        ("receivers:\n  - {name: w, kind: slack}\nroute: {receiver: w}\n", 2, "'kind' is one of webhook, telegram, email, gateway, alertmanager"),
        ("receivers:\n  - {kind: webhook}\nroute: {receiver: w}\n", 2, "a receiver needs 'name'"),
        ("receivers:\n  - {name: w, kind: webhook}\n  - {name: w, kind: email}\nroute: {receiver: w}\n", 3, "receiver 'w' is defined twice"),
        ("receivers:\n  - {name: w, kind: webhook, headers: {a: b}}\nroute: {receiver: w}\n", 2, "receiver setting 'headers' must be text"),
        ("people:\n  - {name: An, mail: a@b}\nroute: {receiver: w}\n", 2, "unknown key 'mail' in a person"),
        ("teams:\n  - {name: T, districts: [X], members: [Ghost]}\n", 2, "unknown person 'Ghost' (none is defined)"),
        ("teams:\n  - {name: T, districts: [X], receivers: [w]}\n", 2, "unknown receiver 'w'"),
        ("teams:\n  - {name: T, districts: [X], schedule: s}\n", 2, "unknown schedule 's'"),
        ("teams:\n  - {name: T, districts: [X], lead: Boss}\n", 2, "unknown person 'Boss'"),
        ("teams:\n  - {name: T}\n", 2, "needs 'districts' or 'sites'"),
        ("teams:\n  - {name: T, districts: [X, Y]}\n  - {name: U, districts: [Y]}\n", 3, "district 'Y' is covered by team 'T' (routing.yml:2) and team 'U'"),
        ("teams:\n  - {name: T, sites: [QN-1]}\n  - {name: U, sites: [QN-1]}\n", 3, "site 'QN-1' is covered by team 'T'"),
        ("schedules:\n  - name: s\n    working_hours: {days: mon-fry, from: \"07:30\", to: \"17:00\"}\n", 3, "'days' must be days such as mon-fri"),
        ("schedules:\n  - name: s\n    working_hours: {days: mon-fri, from: \"7h30\", to: \"17:00\"}\n", 3, "'from' must be a time of day such as \"07:30\""),
        ("schedules:\n  - name: s\n    working_hours: {days: mon-fri, from: \"17:00\", to: \"07:30\"}\n", 3, "'to' must be after 'from'"),
        ("schedules:\n  - name: s\n    working_hours: {days: mon-fri, from: \"07:30\"}\n", 3, "needs days, from and to"),
        ("schedules:\n  - name: s\n    working_hours: {days: mon-fri, from: \"07:30\", to: \"17:00\"}\n    holidays: [2026-02-30]\n", 4,
         "holiday '2026-02-30' is not a date"),
        ("schedules:\n  - name: s\n    on_call: {people: [Ghost], handover: \"mon 08:00\"}\n", 3, "unknown person 'Ghost'"),
        ("people: [{name: A}]\nschedules:\n  - name: s\n    on_call: {people: [A], handover: \"someday 08:00\"}\n", 4, "'handover' starts with a day"),
        ("people: [{name: A}]\nschedules:\n  - name: s\n    on_call: {people: [A], handover: \"mon 08:00\", every: weekly}\n", 4, "'every' must be a duration"),
        ("people: [{name: A}]\nschedules:\n  - name: s\n    on_call: {people: [A]}\n", 4, "needs 'handover'"),
        ("schedules:\n  - name: s\n", 2, "needs 'working_hours' or 'on_call'"),
        ("receivers: {name: w}\n", 1, "'receivers' must be a list"),
        ("routes:\n  receiver: w\n", 1, "unknown key 'routes' in the routing file"),
        ("route:\n  receiver: [w\n", 3, "not YAML"),
        ("- just a list\n", 1, "expected a mapping with 'receivers:'"),
    ] as [(String, Int, String)])
    func mistakesNameTheirLine(text: String, line: Int, fragment: String) {
        do {
            _ = try RoutingFile.parse(text, source: "routing.yml")
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.description.hasPrefix("routing.yml:\(line):"), "\(error.description)")
            #expect(error.description.contains(fragment), "\(error.description)")
        }
    }

    /// A team must be reachable by whatever the routes promise: a lead, an on-call rotation, working hours.
    @Test(arguments: [
        ("  - {name: T, districts: [X], receivers: [w], schedule: s}\nroute:\n  receiver: w\n  to: lead\n", "'to: lead', but team 'T'"),
        ("  - {name: T, districts: [X], receivers: [w], lead: An}\nroute:\n  receiver: w\n  to: on_call\n", "team 'T' (routing.yml:8) has no schedule with 'on_call'"),
        ("  - {name: T, districts: [X], receivers: [w], lead: An}\nroute:\n  receiver: w\n  active: working_hours\n",
         "'active: working_hours', but team 'T' has no schedule with 'working_hours'"),
    ] as [(String, String)])
    func promisesTheTeamsCannotKeep(team: String, fragment: String) {
        let text = Self.head.split(separator: "\n", omittingEmptySubsequences: false).prefix(7).joined(separator: "\n") + "\n" + team
        do {
            _ = try RoutingFile.parse(text, source: "routing.yml")
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.description.hasPrefix("routing.yml:11:") && error.description.contains(fragment), "\(error.description)")
        }
    }

    @Test func aTeamIsFoundBySiteThenDistrict() throws {
        let config = try RoutingFile.parse(F.teams, source: "routing.yml")
        #expect(config.team(for: ["site": "QN-001", "district": "Ba Tơ"])?.name == "Đội 1")
        #expect(config.team(for: ["site": "QN-002", "district": "Minh Long"])?.name == "Đội 1")
        #expect(config.team(for: ["site": "QN-050", "district": "Bình Sơn"])?.name == "Đội 2")
        #expect(config.team(for: ["site": "QN-090", "district": "Ba Tơ"])?.name == "Đội 2", "the site is listed by Đội 2")
        #expect(config.team(for: ["site": "QN-099", "district": "Lý Sơn"]) == nil)
        #expect(config.team(for: ["site": "QN-099"]) == nil)
        #expect(config.team(for: ["upstream": "POP-1", "sites": "QN-100,QN-090"])?.name == "Đội 2", "a topology notice, by its sites")
        // The dispatcher adds the district from the site registry when the notice has none.
        var dispatcher = Dispatcher(config: config)
        dispatcher.districts = ["QN-001": "Ba Tơ", "QN-050": "Bình Sơn"]
        let t = F.vn("2026-12-07 10:00")
        #expect(dispatcher.routingLabels(F.notice("DedicatedLineDown", .critical, site: "QN-001", at: t))["team"] == "Đội 1")
        #expect(dispatcher.routingLabels(F.notice("DedicatedLineDown", .critical, site: "QN-050", at: t))["team"] == "Đội 2")
        #expect(dispatcher.routingLabels(F.notice("DedicatedLineDown", .critical, site: "QN-777", at: t))["team"] == "")
        let upstream = AlertNotice(rule: F.rule("DedicatedLineDownUpstream", .critical), labels: ["upstream": "POP-1", "sites": "QN-050,QN-051"],
                                   change: .fired, value: 2, since: t, at: t, key: "upstream|POP-1")
        #expect(dispatcher.routingLabels(upstream)["district"] == "Bình Sơn" && dispatcher.routingLabels(upstream)["team"] == "Đội 2")
    }

    static let tree = """
        receivers:
          - {name: a, kind: webhook}
          - {name: b, kind: webhook}
          - {name: c, kind: webhook}
          - {name: d, kind: webhook}
          - {name: e, kind: webhook}
        teams:
          - {name: Đội 1, districts: [X]}
          - {name: Đội 2, districts: [Y]}
        route:
          receiver: a
          group_wait: 1m
          routes:
            - matchers: ['team="Đội 1"']
              receiver: b
              continue: true
              routes:
                - matchers: [severity=critical]
                  receiver: c
            - matchers: ['alertname=~"Portal.*"', 'site!=QN-9']
              receiver: d
              group_interval: 10m
            - matchers: ['team=""']
              receiver: e
              repeat_interval: never
        """

    @Test func theTreeRoutesLikeAlertmanagers() throws {
        let config = try RoutingFile.parse(Self.tree, source: "routing.yml")
        func routes(_ labels: [String: String]) -> [String] {
            config.route.match(labels).map { "\($0.id)>\($0.receivers.joined())" }
        }
        #expect(routes(["team": "Đội 1", "severity": "critical", "alertname": "DedicatedLineDown"]) == ["route.1.1>c"], "the deepest match")
        #expect(routes(["team": "Đội 1", "severity": "warning", "alertname": "PortalDown"]) == ["route.1>b", "route.2>d"],
                "route.1 continues to its siblings; none of its children matched")
        #expect(routes(["team": "Đội 2", "severity": "warning", "alertname": "PortalDown"]) == ["route.2>d"])
        #expect(routes(["team": "Đội 2", "severity": "warning", "alertname": "PortalDown", "site": "QN-9"]) == ["route>a"], "site!=QN-9")
        #expect(routes(["team": "Đội 2", "severity": "warning", "alertname": "XPortalDown"]) == ["route>a"], "a regex matches the whole value")
        #expect(routes(["team": "", "severity": "warning", "alertname": "HighLoss"]) == ["route.3>e"], "team=\"\" is: no team")
        #expect(routes(["severity": "warning", "alertname": "HighLoss"]) == ["route.3>e"], "an absent label reads as empty")
        // Children inherit what they do not set.
        let all = Dictionary(uniqueKeysWithValues: config.route.all.map { ($0.id, $0) })
        #expect(all["route.1.1"]?.groupWait == 60_000 && all["route.2"]?.groupWait == 60_000)
        #expect(all["route.2"]?.groupInterval == 600_000 && all["route.1"]?.groupInterval == 300_000)
        #expect(all["route.3"]?.repeatInterval == nil && all["route.2"]?.repeatInterval == 4 * F.hour)
        #expect(config.route.groupWait == 60_000 && config.route.groupBy == Route.defaultGroupBy)
    }

    @Test func matchersAsAlertmanagerWritesThem() throws {
        #expect(try LabelMatcher("severity=critical").matches(["severity": "critical"]))
        #expect(try LabelMatcher("severity = \"critical\"").matches(["severity": "critical"]))
        #expect(try !LabelMatcher("severity!=critical").matches(["severity": "critical"]))
        #expect(try LabelMatcher("district=~Ba (Tơ|Vì)").matches(["district": "Ba Tơ"]))
        #expect(try !LabelMatcher("district=~Ba").matches(["district": "Ba Tơ"]), "anchored: the whole value")
        #expect(try LabelMatcher("alertname!~Info.*").matches(["alertname": "HighLoss"]))
        #expect(try !LabelMatcher("alertname!~Info.*").matches(["alertname": "InfoRebooted"]))
        #expect(throws: MatcherError.self) { try LabelMatcher("=x") }
    }
}
