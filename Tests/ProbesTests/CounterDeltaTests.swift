import Testing
@testable import Probes
@testable import SNMP

@Suite struct CounterDeltaTests {
    @Test func plainIncrease() {
        #expect(CounterDelta.rate(previous: 1_000, current: 11_000, bits: 64, seconds: 10) == 1_000)
    }

    @Test func thirtyTwoBitWrapIsCountedAcrossTheWrap() {
        let before = UInt64(UInt32.max) - 999  // 1,000 below the top
        let rate = CounterDelta.rate(previous: before, current: 9_000, bits: 32, seconds: 10, ceiling: 125_000_000)
        #expect(rate == 1_000)
    }

    @Test func sixtyFourBitGoingBackIsAResetNotAWrap() {
        #expect(CounterDelta.rate(previous: 5_000_000, current: 1_000, bits: 64, seconds: 10) == nil)
    }

    @Test func rebootGivesNoRateInsteadOfASpike() {
        #expect(CounterDelta.rate(previous: 5_000_000, current: 7_000_000, bits: 64, seconds: 10, restarted: true) == nil)
        // A 32-bit counter reset after a reboot looks like a wrap of ~4 GB in 10 s: 3.4 Gb/s on a 100 Mb/s port.
        #expect(CounterDelta.rate(previous: 3_000_000, current: 1_000, bits: 32, seconds: 10, ceiling: 12_500_000) == nil)
    }

    @Test func uptimeTellsARebootFromTheTimeTicksWrap() {
        // Normal: 60 s later, 6000 ticks more.
        #expect(!UptimeCheck.rebooted(previousTicks: 100_000, currentTicks: 106_000, seconds: 60))
        // 497 days: the 32-bit TimeTicks wraps; 60 s after 2^32 - 2000 ticks it reads 4000.
        #expect(!UptimeCheck.rebooted(previousTicks: UInt32.max - 1999, currentTicks: 4_000, seconds: 60))
        // Went back without being near the top: a reboot.
        #expect(UptimeCheck.rebooted(previousTicks: 100_000, currentTicks: 3_000, seconds: 60))
        // Rebooted and already up longer than our last reading: still far below what was expected.
        #expect(UptimeCheck.rebooted(previousTicks: 10_000, currentTicks: 50_000, seconds: 3_600))
    }

    @Test func snapshotJoinsIfTableAndIfXTable() {
        let ifTable: [(OID, SNMPValue)] = [
            (OID("1.3.6.1.2.1.2.2.1.2.3")!, .octets(Array("GigabitEthernet0/1".utf8))),
            (OID("1.3.6.1.2.1.2.2.1.5.3")!, .gauge32(100_000_000)),
            (OID("1.3.6.1.2.1.2.2.1.6.3")!, .octets([0x00, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e])),
            (OID("1.3.6.1.2.1.2.2.1.7.3")!, .integer(1)),
            (OID("1.3.6.1.2.1.2.2.1.8.3")!, .integer(2)),
            (OID("1.3.6.1.2.1.2.2.1.10.3")!, .counter32(1234)),
            (OID("1.3.6.1.2.1.2.2.1.14.3")!, .counter32(7)),
        ]
        let ifXTable: [(OID, SNMPValue)] = [
            (OID("1.3.6.1.2.1.31.1.1.1.1.3")!, .octets(Array("Gi0/1".utf8))),
            (OID("1.3.6.1.2.1.31.1.1.1.6.3")!, .counter64(9_000_000_000)),
            (OID("1.3.6.1.2.1.31.1.1.1.15.3")!, .gauge32(1000)),
            (OID("1.3.6.1.2.1.31.1.1.1.18.3")!, .octets(Array("uplink VNPT".utf8))),
        ]
        let system: [(OID, SNMPValue)] = [(DeviceSnapshot.sysName, .octets(Array("core-sw".utf8))), (DeviceSnapshot.sysUpTime, .timeticks(4242))]
        let s = DeviceSnapshot(system: system, ifTable: ifTable, ifXTable: ifXTable)
        #expect(s.system.name == "core-sw" && s.system.uptimeTicks == 4242)
        let i = s.interfaces[0]
        #expect(i.label == "Gi0/1" && i.description == "GigabitEthernet0/1" && i.alias == "uplink VNPT")
        #expect(i.speed == 1e9 && i.counterBits == 64 && i.inOctets == 9_000_000_000)
        #expect(i.adminUp && !i.operUp && i.inErrors == 7 && i.mac == "00:1a:2b:3c:4d:5e")
    }

    /// 50 MB/s through `lo`, whose ifSpeed net-snmp gives as 10 Mbit/s: a real rate on a loopback;
    /// the same on an Ethernet port of that speed is a counter discontinuity and gives none.
    @Test func aLoopbackIsNotBoundByItsNominalSpeed() {
        func snapshots(type: Int) -> SNMPDeviceResult {
            func one(octets: UInt64, at seconds: Double) -> DeviceSnapshot {
                var s = DeviceSnapshot(system: [], ifTable: [], ifXTable: [])
                var i = DeviceSnapshot.Interface(index: 1)
                i.name = "lo"
                i.type = type
                i.speed = 10_000_000
                i.counterBits = 64
                i.inOctets = octets
                i.outOctets = octets
                s.interfaces = [i]
                s.polledAt = seconds
                return s
            }
            return SNMPDeviceResult(current: one(octets: 150_000_000, at: 12), previous: one(octets: 100_000_000, at: 11))
        }
        #expect(snapshots(type: DeviceSnapshot.Interface.softwareLoopback).rates["lo"]?.inBits == 400_000_000)
        #expect(snapshots(type: 6).rates["lo"]?.inBits == nil)  // ethernetCsmacd
    }
}

@Suite struct DeviceChangeTests {
    func snapshot(name: String, descr: String, interfaces: [(String, Double, Bool)]) -> DeviceSnapshot {
        var s = DeviceSnapshot(system: [], ifTable: [], ifXTable: [])
        s.system.name = name
        s.system.description = descr
        s.interfaces = interfaces.enumerated().map { index, i in
            var row = DeviceSnapshot.Interface(index: UInt32(index + 1))
            row.name = i.0
            row.speed = i.1
            row.operUp = i.2
            row.adminUp = true
            return row
        }
        return s
    }

    @Test func speedDropFirmwareAndInterfacesAreReported() {
        let before = snapshot(name: "sw-xa", descr: "IOS 12.2(50)SE5", interfaces: [("Gi0/1", 1e9, true), ("Gi0/2", 1e9, true), ("Fa0/9", 1e8, true)])
        let after = snapshot(name: "sw-xa", descr: "IOS 12.2(55)SE12", interfaces: [("Gi0/1", 1e8, true), ("Gi0/2", 0, false), ("Gi0/3", 1e9, true)])
        let texts = after.changes(since: before).map(\.description)
        #expect(texts.contains("sysDescr IOS 12.2(50)SE5 → IOS 12.2(55)SE12"))
        #expect(texts.contains("Gi0/1 1000 → 100 Mb/s"))
        #expect(texts.contains("interface Gi0/3 added"))
        #expect(texts.contains("interface Fa0/9 removed"))
        #expect(!texts.contains { $0.hasPrefix("Gi0/2") }, "a port that went down is not a configuration change")
        #expect(after.changes(since: after).isEmpty)
    }
}

@Suite struct CustomOIDTests {
    @Test func numbersSentAsTextAreReadWhenDeclaredAGauge() {
        var s = DeviceSnapshot(system: [], ifTable: [], ifXTable: [])
        s.custom = ["rsrp": .octets(Array("-95".utf8)), "operator": .octets(Array("Viettel".utf8)), "snr": .integer(-105)]
        s.customKinds = ["rsrp": .gauge, "operator": .text, "snr": .gauge]
        let result = SNMPDeviceResult(current: s, previous: nil)
        #expect(result.measurements.contains { $0.labels["name"] == "rsrp" && $0.value == -95 })
        #expect(result.measurements.contains { $0.labels["name"] == "snr" && $0.value == -105 })
        #expect(result.facts["operator"] == "Viettel")
        #expect(result.facts["rsrp"] == nil)
    }
}
