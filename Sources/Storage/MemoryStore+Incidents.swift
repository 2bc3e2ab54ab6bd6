import WatchModel

extension MemoryStore {
    public func save(incident: IncidentRecord) async throws { incidentRecords[incident.id] = incident }

    public func append(_ entry: IncidentEntry) async throws { incidentHistory.append(entry) }

    public func incident(id: String) async throws -> IncidentRecord? { incidentRecords[id] }

    public func incidents(open: Bool, site: String?, limit: Int) async throws -> [IncidentRecord] {
        Array(incidentRecords.values.filter { (!open || $0.state != "resolved") && (site == nil || $0.labels["site"] == site) }
            .sorted { ($0.since, $0.id) > ($1.since, $1.id) }.prefix(max(0, limit)))
    }

    public func history(incident id: String) async throws -> [IncidentEntry] {
        // Stable: lines of one instant keep the order they were appended in.
        incidentHistory.enumerated().filter { $0.element.incident == id }
            .sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)
    }

    public func linkKey() async throws -> String {
        if let linkSecret { return linkSecret }
        let made = Secret.make()
        linkSecret = made
        return made
    }

    public func save(silence: SilenceRecord) async throws { silenceRecords[silence.id] = silence }

    public func silences(endingAfter time: TimestampMs) async throws -> [SilenceRecord] {
        silenceRecords.values.filter { $0.ends > time }.sorted { ($0.starts, $0.id) < ($1.starts, $1.id) }
    }
}
