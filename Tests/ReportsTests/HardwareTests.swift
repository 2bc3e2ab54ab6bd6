import Reports
import Testing
import WatchModel

/// What the report reads of an office PC: its processor's year, its OS's end of life.
@Suite struct HardwareTests {
    @Test func processorYearsFromTheirModelNames() {
        let cases: [(String, Int?)] = [
            ("Intel(R) Core(TM) i5-3470 CPU @ 3.20GHz", 2012),
            ("Intel(R) Core(TM) i3-2120 CPU @ 3.30GHz", 2011),
            ("Intel(R) Core(TM) i5-10400 CPU @ 2.90GHz", 2020),
            ("Intel(R) Core(TM) i7-8550U CPU @ 1.80GHz", 2017),
            ("Intel(R) Core(TM) i5 CPU         650  @ 3.20GHz", nil),
            ("Intel(R) Core(TM) i5-650 CPU @ 3.20GHz", 2010),
            ("Intel(R) Core(TM)2 Duo CPU     E7500  @ 2.93GHz", 2007),
            ("Intel(R) Pentium(R) CPU G2020 @ 2.90GHz", 2012),
            ("Intel(R) Pentium(R) Gold G5400 CPU @ 3.70GHz", 2018),
            ("Intel(R) Celeron(R) CPU  J1900  @ 1.99GHz", 2013),
            ("AMD Ryzen 5 3400G with Radeon Vega Graphics", 2019),
            ("QEMU Virtual CPU version 2.5+", nil),
            ("", nil),
        ]
        for (model, year) in cases { #expect(Hardware.cpuYear(model: model) == year, "\(model)") }
    }

    @Test func endOfLifeByReleaseAndUnknownStaysUnknown() {
        #expect(Hardware.endOfLife(name: "Debian GNU/Linux", version: "10") == "2024-06-30")
        #expect(Hardware.endOfLife(name: "Ubuntu", version: "18.04") == "2023-05-31")
        #expect(Hardware.endOfLife(name: "Microsoft Windows 7 Professional", version: "") == "2020-01-14")
        #expect(Hardware.endOfLife(name: "Windows 10 Pro", version: "") == "2025-10-14")
        #expect(Hardware.endOfLife(name: "Arch Linux", version: "") == nil)
        #expect(Hardware.endOfLife(name: "Debian GNU/Linux", version: "99") == nil)
        // At the end of a period: past, within a year (half), or not known.
        let pc = Hardware(seen: 0, osEndOfLife: "2026-08-31")
        let march = ReportPeriod.month(year: 2026, month: 3).bounds.to - 1
        #expect(pc.osUnsupported(at: march) == false && pc.daysToEndOfLife(from: march) == 152)
        #expect(pc.osUnsupported(at: ReportPeriod.year(2026).bounds.to - 1) == true)
        #expect(Hardware(seen: 0).osUnsupported(at: march) == nil && Hardware(seen: 0).cpuAge(at: march) == nil)
    }

    @Test func anInventoryWithoutNumbersLeavesThemMissing() {
        let event = Event(kind: Event.inventory, timestamp: 1, text: "pc", document: #"{"hostname":"pc","cpu_model":"","mem_total":0,"disks":[]}"#)
        let hw = Hardware(inventory: event)
        #expect(hw != nil && hw?.cpuModel == nil && hw?.memoryBytes == nil && hw?.diskBytes == nil && hw?.diskFreeRatio == nil && hw?.os == nil)
        #expect(Hardware(inventory: Event(kind: Event.inventory, timestamp: 1, text: "pc", document: "not json")) == nil)
    }
}
