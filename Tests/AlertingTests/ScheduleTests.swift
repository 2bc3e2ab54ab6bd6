import Testing
@testable import Alerting
import WatchModel

/// Working hours in Vietnam time, holidays, and who is on call, at the edges.
@Suite struct ScheduleTests {
    typealias F = RoutingFixtures

    let office = Schedule(name: "office", workingHours: [Schedule.Hours(days: [.mon, .tue, .wed, .thu, .fri], from: 7 * 60 + 30, to: 17 * 60)],
                          holidays: [CivilDay("2026-09-02")!])

    @Test func workingHoursEdges() {
        // 2026-12-07 is a Monday.
        #expect(!office.isWorkingTime(F.vn("2026-12-07 07:30") - 1))
        #expect(office.isWorkingTime(F.vn("2026-12-07 07:30")))
        #expect(office.isWorkingTime(F.vn("2026-12-07 17:00") - 1))
        #expect(!office.isWorkingTime(F.vn("2026-12-07 17:00")), "17:00 is the end, not working time")
        #expect(office.isWorkingTime(F.vn("2026-12-11 12:00")), "Friday")
        #expect(!office.isWorkingTime(F.vn("2026-12-12 10:00")), "Saturday")
        #expect(!office.isWorkingTime(F.vn("2026-12-13 10:00")), "Sunday")
    }

    @Test func vietnamTimeIsSevenHoursAheadOfUTC() {
        #expect(office.isWorkingTime(F.utc("2026-12-07T00:30:00Z")), "00:30 UTC is 07:30 in Vietnam")
        #expect(!office.isWorkingTime(F.utc("2026-12-07T00:29:59Z")))
        #expect(!office.isWorkingTime(F.utc("2026-12-07T10:00:00Z")), "10:00 UTC is 17:00 in Vietnam")
        #expect(office.isWorkingTime(F.utc("2026-12-07T09:59:59Z")))
        // Friday 20:00 UTC is already Saturday 03:00 in Vietnam; Sunday 23:00 UTC is Monday 06:00.
        #expect(!office.isWorkingTime(F.utc("2026-12-11T20:00:00Z")))
        let allMonday = Schedule(name: "m", workingHours: [Schedule.Hours(days: [.mon], from: 0, to: 24 * 60)])
        #expect(allMonday.isWorkingTime(F.utc("2026-12-06T17:00:00Z")), "Sunday 17:00 UTC is Monday 00:00 in Vietnam")
        #expect(!allMonday.isWorkingTime(F.utc("2026-12-06T16:59:59Z")))
        #expect(allMonday.isWorkingTime(F.utc("2026-12-07T16:59:59Z")))
        #expect(!allMonday.isWorkingTime(F.utc("2026-12-07T17:00:00Z")))
    }

    @Test func holidaysAreWholeDaysInVietnam() {
        #expect(!office.isWorkingTime(F.vn("2026-09-02 10:00")), "National Day, a Wednesday")
        #expect(office.isWorkingTime(F.vn("2026-09-01 16:59")))
        #expect(office.isWorkingTime(F.vn("2026-09-03 07:30")))
        let allWeek = Schedule(name: "w", workingHours: [Schedule.Hours(days: Set(Weekday.allCases), from: 0, to: 24 * 60)],
                               holidays: [CivilDay("2026-09-02")!])
        #expect(!allWeek.isWorkingTime(F.utc("2026-09-01T17:00:00Z")), "the holiday starts at midnight Vietnam time")
        #expect(allWeek.isWorkingTime(F.utc("2026-09-01T16:59:59Z")))
        #expect(allWeek.isWorkingTime(F.utc("2026-09-02T17:00:00Z")))
    }

    @Test func theNextOpeningSkipsNightsWeekendsAndHolidays() {
        #expect(office.next(working: true, from: F.vn("2026-12-07 22:00")) == F.vn("2026-12-08 07:30"))
        #expect(office.next(working: true, from: F.vn("2026-12-07 03:00")) == F.vn("2026-12-07 07:30"))
        #expect(office.next(working: true, from: F.vn("2026-12-11 17:00")) == F.vn("2026-12-14 07:30"), "Friday evening → Monday")
        #expect(office.next(working: true, from: F.vn("2026-09-01 18:00")) == F.vn("2026-09-03 07:30"), "over the holiday")
        #expect(office.next(working: true, from: F.vn("2026-12-08 09:00")) == F.vn("2026-12-08 09:00"), "already open")
        #expect(office.next(working: false, from: F.vn("2026-12-08 09:00")) == F.vn("2026-12-08 17:00"))
        #expect(Schedule(name: "never").next(working: true, from: F.vn("2026-12-08 09:00")) == nil)
    }

    @Test func weeklyOnCallHandsOverOnMondayMorningVietnamTime() {
        let rotation = Schedule(name: "r", onCall: Schedule.Rotation(people: ["A", "B", "C"], handoverDay: .mon, handoverMinute: 8 * 60,
                                                                     every: 7 * 86_400_000, start: CivilDay("2026-11-30")!))
        #expect(rotation.onCall(at: F.vn("2026-11-30 08:00")) == "A")
        #expect(rotation.onCall(at: F.vn("2026-12-04 23:00")) == "A")
        #expect(rotation.onCall(at: F.vn("2026-12-07 08:00") - 1) == "A")
        #expect(rotation.onCall(at: F.vn("2026-12-07 08:00")) == "B")
        #expect(rotation.onCall(at: F.utc("2026-12-07T01:00:00Z")) == "B", "08:00 in Vietnam is 01:00 UTC")
        #expect(rotation.onCall(at: F.utc("2026-12-07T00:59:59Z")) == "A")
        #expect(rotation.onCall(at: F.vn("2026-12-14 08:00")) == "C")
        #expect(rotation.onCall(at: F.vn("2026-12-21 08:00")) == "A", "round and round")
        #expect(rotation.onCall(at: F.vn("2026-11-30 07:59")) == "C", "before the start, the turn before the first")
        // A start in mid-week: the first handover is the next Monday.
        let later = Schedule(name: "r", onCall: Schedule.Rotation(people: ["A", "B"], handoverDay: .mon, handoverMinute: 8 * 60,
                                                                  every: 7 * 86_400_000, start: CivilDay("2026-12-02")!))
        #expect(later.onCall(at: F.vn("2026-12-07 08:00")) == "A")
    }

    @Test func dailyOnCall() {
        let daily = Schedule(name: "d", onCall: Schedule.Rotation(people: ["D", "E"], handoverDay: nil, handoverMinute: 8 * 60,
                                                                  every: 86_400_000, start: CivilDay("2026-12-01")!))
        #expect(daily.onCall(at: F.vn("2026-12-01 08:00")) == "D")
        #expect(daily.onCall(at: F.vn("2026-12-02 07:59")) == "D")
        #expect(daily.onCall(at: F.vn("2026-12-02 08:00")) == "E")
        #expect(daily.onCall(at: F.vn("2026-12-03 08:00")) == "D")
        #expect(Schedule(name: "none").onCall(at: F.vn("2026-12-03 08:00")) == nil)
    }

    @Test func civilDaysRoundTrip() throws {
        let day = try #require(CivilDay("2026-12-07"))
        #expect(day.weekday == .mon && day.description == "2026-12-07")
        #expect(CivilDay("2026-02-29") == nil && CivilDay("2028-02-29") != nil && CivilDay("2026-13-01") == nil && CivilDay("26-1-1") == nil)
        #expect(CivilDay(containing: F.utc("2026-12-06T17:00:00Z"), utcOffset: Schedule.vietnam) == day)
        #expect(CivilDay(containing: F.utc("2026-12-06T16:59:59Z"), utcOffset: Schedule.vietnam).weekday == .sun)
        #expect(CivilDay(containing: -1, utcOffset: 0).description == "1969-12-31")
    }
}
