import Foundation
import Storage
import Testing
import TestSupport
import WatchModel

/// Incidents with their history, the same way on every store: memory, SQLite, PostgreSQL.
@Suite struct IncidentStoreTests {
    let start: TimestampMs = 1_764_633_600_000

    func record(_ site: String, rule: String = "DedicatedLineDown", since offset: TimestampMs, state: String = "firing") -> IncidentRecord {
        let labels = ["site": site, "path": "dedicated"]
        let key = rule + "|" + LabelText.encode(labels)
        return IncidentRecord(id: "\(key)@\(start + offset)", key: key, rule: rule, severity: "critical", labels: labels, state: state,
                              since: start + offset, summary: "Mất đường truyền chuyên dùng tại \(site)", value: 0, updatedAt: start + offset)
    }

    @Test(arguments: StoreKind.allCases) func incidentsAreKeptWithTheirHistory(kind: StoreKind) async throws {
        let (store, twin) = try await kind.make()
        var cut = record("QNG-001", since: 0)
        let older = record("QNG-002", since: -60_000, state: "resolved")
        let portal = record("QNG-001", rule: "PortalDown", since: 30_000)
        for r in [cut, older, portal] { try await store.save(incident: r) }

        // Replaced by id: the acknowledgement is kept, not a second row.
        cut.state = "acknowledged"
        cut.acknowledgedBy = "anh Tuấn"
        cut.acknowledgedAt = start + 5_000
        cut.updatedAt = start + 5_000
        try await store.save(incident: cut)
        #expect(try await store.incident(id: cut.id) == cut)
        #expect(try await store.incident(id: "nope@1") == nil)

        // Newest first; open ones; one site's; a limit.
        #expect(try await store.incidents(open: false, site: nil, limit: 10).map(\.id) == [portal.id, cut.id, older.id])
        #expect(try await store.incidents(open: true, site: nil, limit: 10).map(\.id) == [portal.id, cut.id])
        #expect(try await store.incidents(open: false, site: "QNG-002", limit: 10) == [older])
        #expect(try await store.incidents(open: true, site: "QNG-002", limit: 10).isEmpty)
        #expect(try await store.incidents(open: false, site: nil, limit: 2).map(\.id) == [portal.id, cut.id])

        // History oldest first, lines of one instant in the order written; Vietnamese notes as written.
        let note = "Điện lực báo cắt điện đến 14:00 — đã gọi chị Hương, xã Trà Bồng <b>&</b>"
        try await store.append(IncidentEntry(incident: cut.id, at: start + 5_000, kind: "acknowledged", by: "anh Tuấn"))
        try await store.append(IncidentEntry(incident: cut.id, at: start, kind: "fired", by: "collector", text: "0"))
        try await store.append(IncidentEntry(incident: cut.id, at: start + 5_000, kind: "note", by: "anh Tuấn", text: note))
        try await store.append(IncidentEntry(incident: portal.id, at: start + 30_000, kind: "fired", by: "collector"))
        let history = try await store.history(incident: cut.id)
        #expect(history.map(\.kind) == ["fired", "acknowledged", "note"])
        #expect(history.last?.text == note && history.last?.by == "anh Tuấn")
        #expect(try await store.history(incident: "nope@1").isEmpty)

        // The links' key: made once, the same for a second collector on the same database.
        let key = try await store.linkKey()
        #expect(key.count == 64)
        #expect(try await store.linkKey() == key)

        // Another process on the same database (for SQLite: the file reopened after closing) sees all of it.
        if kind != .memory { await store.close() }
        let reopened = try await twin()
        defer { Task { await reopened.close() } }
        #expect(try await reopened.incident(id: cut.id) == cut)
        #expect(try await reopened.history(incident: cut.id).map(\.text).last == note)
        #expect(try await reopened.linkKey() == key, "links signed before a restart still open")
    }
}
