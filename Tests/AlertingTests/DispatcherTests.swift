import Testing
@testable import Alerting
import WatchModel

/// The dispatcher with a manual clock: who is told what, when, and how often.
@Suite struct DispatcherTests {
    typealias F = RoutingFixtures
    let minute = F.minute, second = F.second, hour = F.hour

    @Test func aCriticalNoticePagesAtOnceAndEscalatesWhenNobodyAcknowledges() throws {
        var d = try F.teamsDispatcher()
        // Monday 07:50: Bình is still on call; Cường takes over at 08:00.
        let t0 = F.vn("2026-12-07 07:50")
        d.receive([F.notice("DedicatedLineDown", .critical, site: "QN-001", district: "Ba Tơ", at: t0)], now: t0)
        #expect(d.nextDue() == t0, "group_wait 0s for critical")
        let first = d.due(now: t0)
        #expect(first.map(\.summary) == ["sms first [QN-001]", "t1 first [QN-001]"])
        #expect(first.allSatisfy { $0.recipients.map(\.name) == ["Bình"] && $0.team == "Đội 1" })
        #expect(first.first?.recipients.first?.phone == nil && first.first?.notices.first?.context.team == "Đội 1")

        #expect(d.nextDue() == t0 + 15 * minute)
        #expect(d.due(now: t0 + 15 * minute - 1).isEmpty)
        let lead = d.due(now: t0 + 15 * minute)
        #expect(lead.map(\.summary) == ["sms escalation1 [QN-001]", "t1 escalation1 [QN-001]"])
        #expect(lead.allSatisfy { $0.recipients.map(\.name) == ["An"] && $0.recipients.first?.phone == "+84900000001" })
        #expect(d.due(now: t0 + 16 * minute).isEmpty, "once per step")

        #expect(d.nextDue() == t0 + 45 * minute)
        let team = d.due(now: t0 + 45 * minute)
        #expect(team.map(\.summary) == ["mail escalation2 [QN-001]"])
        #expect(team.first?.recipients.map(\.name) == ["An", "Bình", "Cường"])

        // Still firing after repeat_interval: told again, now to the person on call since 08:00.
        #expect(d.nextDue() == t0 + 4 * hour)
        let again = d.due(now: t0 + 4 * hour)
        #expect(again.map(\.summary) == ["sms repeat [QN-001]", "t1 repeat [QN-001]"])
        #expect(again.first?.recipients.map(\.name) == ["Cường"])
        #expect(d.nextDue() == t0 + 8 * hour)
    }

    @Test func anAcknowledgedIncidentIsToldOnceMoreThenNeitherEscalatesNorRepeats() throws {
        var d = try F.teamsDispatcher()
        let t0 = F.vn("2026-12-07 10:00")
        d.receive([F.notice("DedicatedLineDown", .critical, site: "QN-001", district: "Ba Tơ", at: t0)], now: t0)
        #expect(d.due(now: t0).count == 2)
        d.receive([F.notice("DedicatedLineDown", .critical, site: "QN-001", district: "Ba Tơ", .acknowledged(by: "Cường"), at: t0 + 10 * minute)],
                  now: t0 + 10 * minute)
        let update = d.due(now: t0 + 10 * minute)
        #expect(update.map(\.summary) == ["sms update [QN-001]", "t1 update [QN-001]"])
        #expect(update.first?.notices.first?.change == .acknowledged(by: "Cường"))
        #expect(d.nextDue() == nil, "no escalation at 15 and 45 minutes, no repeat")
        #expect(d.due(now: t0 + 5 * hour).isEmpty)
        d.receive([F.notice("DedicatedLineDown", .critical, site: "QN-001", district: "Ba Tơ", .resolved, at: t0 + 6 * hour)], now: t0 + 6 * hour)
        #expect(d.due(now: t0 + 6 * hour).map(\.summary) == ["sms update [QN-001 resolved]", "t1 update [QN-001 resolved]"])
        #expect(d.groupKeys.isEmpty)
    }

    @Test func groupWaitThenGroupIntervalThenRepeatInterval() throws {
        var d = try F.teamsDispatcher()
        let t0 = F.vn("2026-12-07 09:00")
        d.receive([F.notice("HighLoss", .warning, site: "QN-001", district: "Ba Tơ", at: t0)], now: t0)
        #expect(d.nextDue() == t0 + 30 * second, "group_wait 30s for warnings")
        #expect(d.due(now: t0 + 29 * second).isEmpty)
        #expect(d.due(now: t0 + 30 * second).map(\.summary) == ["centre first [QN-001]", "t1 first [QN-001]"])

        // Another site joins the group: told group_interval after the last message, with both.
        d.receive([F.notice("HighLoss", .warning, site: "QN-002", district: "Ba Tơ", at: t0 + minute)], now: t0 + minute)
        let sent = t0 + 30 * second
        #expect(d.nextDue() == sent + 5 * minute)
        #expect(d.due(now: sent + 5 * minute - 1).isEmpty)
        #expect(d.due(now: sent + 5 * minute).map(\.summary) == ["centre update [QN-001, QN-002]", "t1 update [QN-001, QN-002]"])

        // Nothing new: the same again after repeat_interval.
        let updated = sent + 5 * minute
        #expect(d.nextDue() == updated + 4 * hour)
        #expect(d.due(now: updated + 4 * hour).map(\.summary) == ["centre repeat [QN-001, QN-002]", "t1 repeat [QN-001, QN-002]"])

        // One resolves: told with the other still firing; then the last one: told, and the group is gone.
        let repeated = updated + 4 * hour
        d.receive([F.notice("HighLoss", .warning, site: "QN-001", district: "Ba Tơ", .resolved, at: repeated + minute)], now: repeated + minute)
        #expect(d.nextDue() == repeated + 5 * minute)
        #expect(d.due(now: repeated + 5 * minute).map(\.summary) == ["centre update [QN-001 resolved, QN-002]", "t1 update [QN-001 resolved, QN-002]"])
        d.receive([F.notice("HighLoss", .warning, site: "QN-002", district: "Ba Tơ", .resolved, at: repeated + 20 * minute)], now: repeated + 20 * minute)
        #expect(d.nextDue() == repeated + 20 * minute, "group_interval has passed: at once")
        #expect(d.due(now: repeated + 20 * minute).map(\.summary) == ["centre update [QN-002 resolved]", "t1 update [QN-002 resolved]"])
        #expect(d.groupKeys.isEmpty && d.nextDue() == nil)
        #expect(d.due(now: repeated + 10 * hour).isEmpty)
    }

    @Test func tenSitesOfOneDistrictInGroupWaitMakeOneMessage() throws {
        var d = try F.teamsDispatcher()
        let t0 = F.vn("2026-12-07 09:00")
        let sites = (10..<20).map { "QN-0\($0)" }
        for (i, site) in sites.enumerated() {
            d.receive([F.notice("HighLoss", .warning, site: site, district: "Ba Tơ", at: t0 + Int64(i) * 2 * second)], now: t0 + Int64(i) * 2 * second)
        }
        // Same team, another district; same district, another alert: groups of their own.
        d.receive([F.notice("HighLoss", .warning, site: "QN-200", district: "Minh Long", at: t0 + 3 * second)], now: t0 + 3 * second)
        d.receive([F.notice("HighLatency", .warning, site: "QN-010", district: "Ba Tơ", at: t0 + 4 * second)], now: t0 + 4 * second)
        #expect(d.groupKeys.count == 3)
        let first = d.due(now: t0 + 30 * second)
        #expect(first.map(\.receiver) == ["centre", "t1"])
        #expect(first.allSatisfy { $0.notices.compactMap { $0.labels["site"] } == sites && $0.reason == .first })
        #expect(d.due(now: t0 + 34 * second).map(\.summary).sorted() ==
                ["centre first [QN-010]", "centre first [QN-200]", "t1 first [QN-010]", "t1 first [QN-200]"])
    }

    @Test func warningsAtNightWaitForTheMorningCriticalOnesDoNot() throws {
        var d = try F.teamsDispatcher()
        let night = F.vn("2026-12-07 22:00")
        d.receive([F.notice("HighLoss", .warning, site: "QN-001", district: "Ba Tơ", at: night)], now: night)
        // Lossy for a while in the night, and over before morning: not worth a message.
        d.receive([F.notice("HighLoss", .warning, site: "QN-002", district: "Ba Tơ", at: night + hour)], now: night + hour)
        d.receive([F.notice("HighLoss", .warning, site: "QN-002", district: "Ba Tơ", .resolved, at: night + 2 * hour)], now: night + 2 * hour)
        #expect(d.due(now: night + 2 * hour).isEmpty)
        let morning = F.vn("2026-12-08 07:30")
        #expect(d.nextDue() == morning)
        #expect(d.due(now: morning - 1).isEmpty)
        #expect(d.due(now: morning).map(\.summary) == ["centre first [QN-001]", "t1 first [QN-001]"])

        var critical = try F.teamsDispatcher()
        critical.receive([F.notice("DedicatedLineDown", .critical, site: "QN-003", district: "Ba Tơ", at: night)], now: night)
        #expect(critical.due(now: night).map(\.summary) == ["sms first [QN-003]", "t1 first [QN-003]"])
    }

    @Test func heldUntilTheTeamsNextWorkingDay() throws {
        var d = try F.teamsDispatcher()
        // Tuesday evening; Wednesday 2026-12-09 is a holiday for Đội 1 only.
        let evening = F.vn("2026-12-08 18:00")
        d.receive([F.notice("HighLoss", .warning, site: "QN-001", district: "Ba Tơ", at: evening),
                   F.notice("HighLoss", .warning, site: "QN-050", district: "Bình Sơn", at: evening)], now: evening)
        #expect(d.nextDue() == F.vn("2026-12-09 07:30"))
        #expect(d.due(now: F.vn("2026-12-09 07:30")).map(\.summary) == ["centre first [QN-050]", "t2 first [QN-050]"])
        d.receive([F.notice("HighLoss", .warning, site: "QN-050", district: "Bình Sơn", .resolved, at: F.vn("2026-12-09 08:00"))],
                  now: F.vn("2026-12-09 08:00"))
        #expect(d.due(now: F.vn("2026-12-09 08:00")).map(\.summary) == ["centre update [QN-050 resolved]", "t2 update [QN-050 resolved]"])
        #expect(d.nextDue() == F.vn("2026-12-10 07:30"))
        #expect(d.due(now: F.vn("2026-12-10 07:30")).map(\.summary) == ["centre first [QN-001]", "t1 first [QN-001]"])
        d.receive([F.notice("HighLoss", .warning, site: "QN-001", district: "Ba Tơ", .resolved, at: F.vn("2026-12-10 08:00"))],
                  now: F.vn("2026-12-10 08:00"))
        #expect(d.due(now: F.vn("2026-12-10 08:00")).count == 2)
        // Friday after hours → Monday morning.
        let friday = F.vn("2026-12-11 17:00")
        d.receive([F.notice("HighLatency", .warning, site: "QN-001", district: "Ba Tơ", at: friday)], now: friday)
        #expect(d.due(now: F.vn("2026-12-12 10:00")).isEmpty)
        #expect(d.nextDue() == F.vn("2026-12-14 07:30"))
        #expect(d.due(now: F.vn("2026-12-14 07:30")).map(\.summary) == ["centre first [QN-001]", "t1 first [QN-001]"])
    }

    @Test func whenInactiveDropNeverTellsWhatStartedOutsideTheWindow() throws {
        var d = try F.teamsDispatcher()
        let night = F.vn("2026-12-07 23:00")
        d.receive([F.notice("DeviceRebooted", .info, site: "QN-001", district: "Ba Tơ", at: night)], now: night)
        #expect(d.groupKeys.isEmpty && d.nextDue() == nil)
        #expect(d.due(now: F.vn("2026-12-08 07:30")).isEmpty)
        // Told in the afternoon, over in the evening: the end waits for the morning.
        let afternoon = F.vn("2026-12-08 16:00")
        d.receive([F.notice("DeviceRebooted", .info, site: "QN-002", district: "Ba Tơ", at: afternoon)], now: afternoon)
        #expect(d.due(now: afternoon + 30 * second).map(\.summary) == ["centre first [QN-002]", "t1 first [QN-002]"])
        d.receive([F.notice("DeviceRebooted", .info, site: "QN-002", district: "Ba Tơ", .resolved, at: afternoon + 2 * hour)], now: afternoon + 2 * hour)
        #expect(d.nextDue() == F.vn("2026-12-09 07:30") + 24 * hour, "Wednesday is Đội 1's holiday")
        #expect(d.due(now: F.vn("2026-12-10 07:30")).map(\.summary) == ["centre update [QN-002 resolved]", "t1 update [QN-002 resolved]"])
        #expect(d.groupKeys.isEmpty)
    }

    @Test func aResolvedGroupIsToldOnceAndDropped() throws {
        var d = try F.teamsDispatcher()
        let t0 = F.vn("2026-12-07 10:00")
        d.receive([F.notice("DedicatedLineDown", .critical, site: "QN-050", district: "Bình Sơn", at: t0)], now: t0)
        #expect(d.due(now: t0).map(\.summary) == ["sms first [QN-050]", "t2 first [QN-050]"])
        d.receive([F.notice("DedicatedLineDown", .critical, site: "QN-050", district: "Bình Sơn", .resolved, at: t0 + minute)], now: t0 + minute)
        #expect(d.nextDue() == t0 + 5 * minute)
        #expect(d.due(now: t0 + 5 * minute).map(\.summary) == ["sms update [QN-050 resolved]", "t2 update [QN-050 resolved]"])
        #expect(d.groupKeys.isEmpty && d.nextDue() == nil)
        #expect(d.due(now: t0 + 5 * hour).isEmpty, "no repeat, no escalation of what is over")
        // On and off within group_wait: nothing at all.
        d.receive([F.notice("HighLoss", .warning, site: "QN-050", district: "Bình Sơn", at: t0 + hour)], now: t0 + hour)
        d.receive([F.notice("HighLoss", .warning, site: "QN-050", district: "Bình Sơn", .resolved, at: t0 + hour + 10 * second)],
                  now: t0 + hour + 10 * second)
        #expect(d.groupKeys.isEmpty && d.due(now: t0 + hour + minute).isEmpty)
    }

    @Test func flappingIsToldWhenItStartsAndWhenItSettlesNeverRepeatedOrEscalated() throws {
        var d = try F.teamsDispatcher()
        let t0 = F.vn("2026-12-07 10:00")
        let line = { (change: IncidentChange, at: TimestampMs) in
            F.notice("DedicatedLineDown", .critical, site: "QN-001", district: "Ba Tơ", change, at: at)
        }
        d.receive([line(.fired, t0)], now: t0)
        #expect(d.due(now: t0).count == 2)
        d.receive([line(.startedFlapping, t0 + 2 * minute)], now: t0 + 2 * minute)
        let flapping = d.due(now: t0 + 5 * minute)
        #expect(flapping.map(\.summary) == ["sms update [QN-001]", "t1 update [QN-001]"])
        #expect(flapping.first?.notices.first?.change == .startedFlapping)
        #expect(d.nextDue() == nil, "no escalation, no repeat while flapping")
        d.receive([line(.settled(firing: false), t0 + 40 * minute)], now: t0 + 40 * minute)
        let settled = d.due(now: t0 + 40 * minute)
        #expect(settled.map(\.summary) == ["sms update [QN-001 resolved]", "t1 update [QN-001 resolved]"])
        #expect(settled.first?.notices.first?.change == .settled(firing: false))
        #expect(d.groupKeys.isEmpty)

        // Settling on: it pages again, escalating from when that is told.
        d.receive([line(.fired, t0 + hour), line(.startedFlapping, t0 + hour)], now: t0 + hour)
        #expect(d.due(now: t0 + hour).first?.notices.first?.change == .startedFlapping)
        d.receive([line(.settled(firing: true), t0 + 2 * hour)], now: t0 + 2 * hour)
        #expect(d.due(now: t0 + 2 * hour).map(\.summary) == ["sms update [QN-001]", "t1 update [QN-001]"])
        #expect(d.nextDue() == t0 + 2 * hour + 15 * minute)
    }

    @Test func continueSendsOneNoticeDownTwoRoutes() throws {
        var d = Dispatcher(config: try RoutingFile.parse(RoutingFileTests.tree, source: "routing.yml"))
        let t0 = F.vn("2026-12-07 10:00")
        d.receive([F.notice("PortalDown", .warning, site: "QN-001", district: "X", at: t0),
                   F.notice("PortalDown", .warning, site: "QN-002", district: "Y", at: t0),
                   F.notice("HighLoss", .warning, site: "QN-003", district: "Z", at: t0)], now: t0)
        #expect(d.due(now: t0 + minute - 1).isEmpty, "group_wait 1m inherited from the root")
        let sent = d.due(now: t0 + minute)
        #expect(sent.map(\.summary).sorted() == ["b first [QN-001]", "d first [QN-001]", "d first [QN-002]", "e first [QN-003]"])
        #expect(sent.filter { $0.receiver == "d" }.map(\.team).sorted { ($0 ?? "") < ($1 ?? "") } == ["Đội 1", "Đội 2"])
        #expect(sent.first { $0.receiver == "e" }?.team == nil)
    }

    @Test func withoutARoutingFileEveryNoticeGoesAtOnceToEveryReceiver() {
        var d = Dispatcher.broadcast(receivers: ["webhook-1", "telegram"])
        let t0 = F.vn("2026-12-07 23:00")
        d.receive([F.notice("HighLoss", .warning, site: "QN-001", at: t0)], now: t0)
        #expect(d.due(now: t0).map(\.summary) == ["webhook-1 first [QN-001]", "telegram first [QN-001]"])
        d.receive([F.notice("HighLoss", .warning, site: "QN-002", at: t0 + second)], now: t0 + second)
        #expect(d.due(now: t0 + second).map(\.summary) == ["webhook-1 first [QN-002]", "telegram first [QN-002]"])
        d.receive([F.notice("HighLoss", .warning, site: "QN-001", .resolved, at: t0 + 2 * second)], now: t0 + 2 * second)
        #expect(d.due(now: t0 + 2 * second).map(\.summary) == ["webhook-1 update [QN-001 resolved]", "telegram update [QN-001 resolved]"])
        #expect(d.nextDue() == nil, "never repeated")
        #expect(d.groupKeys.count == 1)
    }
}
