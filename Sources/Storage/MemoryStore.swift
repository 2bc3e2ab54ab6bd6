import WatchModel

/// A store that keeps everything in memory: the reference the database stores are tested against,
/// and a store for tests of the routes that need no file. Gone when the process ends.
public actor MemoryStore: CollectorStore {
    struct Series {
        var key: SeriesKey
        var site: String
        var points: [WirePoint] = []
        var rollups: [Int64: [TimestampMs: Rollup]] = [:]
    }

    struct Agent {
        var record: AgentRecord
        var secretHash: String
    }

    var seriesByKey: [SeriesKey: Int] = [:]
    var series: [Series] = []
    /// "agent/catalog" → agent series id → index in `series`.
    var catalogs: [String: [Int64: Int]] = [:]
    var batches: Set<String> = []
    var storedEvents: [(site: String, event: Event)] = []
    var adminHashes: Set<String> = []
    var enrollment: [String: (site: String, expires: TimestampMs, used: Bool)] = [:]
    var agents: [String: Agent] = [:]
    var probeLists: [String: String] = [:]
    var registry: [String: Site] = [:]
    var incidentRecords: [String: IncidentRecord] = [:]
    var incidentHistory: [IncidentEntry] = []
    var linkSecret: String?
    var silenceRecords: [String: SilenceRecord] = [:]
    var staffAccounts: [String: StaffAccount] = [:]
    var staffSessions: [String: StaffSession] = [:]

    public init() {}

    // MARK: time series

    public func ingest(_ batch: IngestBatch) async throws -> IngestOutcome {
        guard !batches.contains(batch.agentID + "/" + batch.batchID) else { return .duplicate }
        let catalog = "\(batch.agentID)/\(batch.catalog)"
        for d in batch.definitions {
            let key = batch.storedKey(d)
            let index = seriesByKey[key] ?? {
                series.append(Series(key: key, site: batch.site))
                seriesByKey[key] = series.count - 1
                return series.count - 1
            }()
            catalogs[catalog, default: [:]][d.id] = index
        }
        let known = catalogs[catalog] ?? [:]
        let unknown = batch.series.map(\.id).filter { known[$0] == nil }
        guard unknown.isEmpty else { return .unknownSeries(unknown) }
        var samples = 0
        for s in batch.series where !s.points.isEmpty {
            series[known[s.id]!].points += batch.correctedPoints(s)
            samples += s.points.count
        }
        storedEvents += batch.storedEvents.map { (batch.site, $0) }
        batches.insert(batch.agentID + "/" + batch.batchID)
        return .stored(samples: samples)
    }

    func sortedPoints(_ index: Int) -> [WirePoint] {
        // Stable: points of one timestamp keep their arrival order, as chunks do.
        series[index].points.enumerated().sorted { ($0.element.timestamp, $0.offset) < ($1.element.timestamp, $1.offset) }.map(\.element)
    }

    public func points(_ key: SeriesKey, from: TimestampMs, to: TimestampMs) async throws -> [WirePoint] {
        guard let index = seriesByKey[key] else { return [] }
        return sortedPoints(index).filter { $0.timestamp >= from && $0.timestamp <= to }
    }

    public func rollups(_ key: SeriesKey, resolution: Int64, from: TimestampMs, to: TimestampMs) async throws -> [Rollup] {
        guard let index = seriesByKey[key] else { return [] }
        let start = from / resolution * resolution
        let computed = Rollup.buckets(sortedPoints(index).filter { $0.timestamp >= start && $0.timestamp <= to }, resolution: resolution)
        let stored = (series[index].rollups[resolution] ?? [:]).values.filter { $0.start >= start && $0.start <= to }
        return Rollup.answer(computed: computed, stored: Array(stored))
    }

    func matching(metric: String, labels: [String: String]) -> [Int] {
        series.indices.filter { i in
            series[i].key.metric == metric && labels.allSatisfy { series[i].key[label: $0.key] == $0.value }
        }.sorted { series[$0].key < series[$1].key }
    }

    public func series(metric: String, matching: [String: String]) async throws -> [SeriesKey] {
        self.matching(metric: metric, labels: matching).map { series[$0].key }
    }

    func newest(_ index: Int) -> WirePoint? {
        // The newest timestamp; of equal ones, the last to arrive (as the databases' upsert keeps it).
        series[index].points.reduce(nil) { best, p in best.map { p.timestamp >= $0.timestamp ? p : $0 } ?? p }
    }

    public func latest(metric: String, matching: [String: String]) async throws -> [(key: SeriesKey, point: WirePoint)] {
        self.matching(metric: metric, labels: matching).compactMap { i in newest(i).map { (series[i].key, WirePoint(timestamp: $0.timestamp, value: $0.value)) } }
    }

    public func latestRows(metric: String, site: String?) async throws -> [LatestRow] {
        series.indices.filter { series[$0].key.metric == metric && (site == nil || series[$0].site == site) }.compactMap { i in
            newest(i).map { LatestRow(labelsJSON: LabelText.encode(series[i].key.labels), timestamp: $0.timestamp, value: $0.value) }
        }
    }

    public func everyLatest() async throws -> [(key: SeriesKey, point: WirePoint)] {
        series.indices.sorted { series[$0].key.metric < series[$1].key.metric }.compactMap { i in
            newest(i).map { (series[i].key, WirePoint(timestamp: $0.timestamp, value: $0.value)) }
        }
    }

    public func events(site: String?, from: TimestampMs, to: TimestampMs, limit: Int) async throws -> [Event] {
        Array(storedEvents.filter { (site == nil || $0.site == site) && $0.event.timestamp >= from && $0.event.timestamp <= to }
            .map(\.event).sorted { $0.timestamp > $1.timestamp }.prefix(limit))
    }

    // MARK: maintenance

    /// Nothing to merge in memory: every point is already in one array per series.
    public func compact(olderThan: TimestampMs) async throws -> CompactionResult { CompactionResult() }

    public func enforce(_ retention: Retention, now: TimestampMs) async throws -> Int {
        var deleted = 0
        let rawCutoff = retention.rawCutoff(now: now)
        for i in series.indices {
            let expiring = sortedPoints(i).filter { $0.timestamp < rawCutoff }
            if !expiring.isEmpty {
                for resolution in Rollup.resolutions {
                    for r in Rollup.mergedForStorage(expiring, resolution: resolution, stored: series[i].rollups[resolution] ?? [:]) {
                        series[i].rollups[resolution, default: [:]][r.start] = r
                    }
                }
                series[i].points.removeAll { $0.timestamp < rawCutoff }
                deleted += expiring.count
            }
            for resolution in Rollup.resolutions {
                let cutoff = retention.rollupCutoff(resolution, now: now)
                let before = series[i].rollups[resolution]?.count ?? 0
                series[i].rollups[resolution] = series[i].rollups[resolution]?.filter { $0.key >= cutoff }
                deleted += before - (series[i].rollups[resolution]?.count ?? 0)
            }
        }
        let before = storedEvents.count
        storedEvents.removeAll { $0.event.timestamp < retention.eventCutoff(now: now) }
        return deleted + before - storedEvents.count
    }

    public func close() async {}

    // MARK: access

    public func firstAdminToken() async throws -> String? {
        guard adminHashes.isEmpty else { return nil }
        let token = Secret.make()
        adminHashes.insert(Secret.hash(token))
        return token
    }

    public func isAdmin(token: String) async throws -> Bool { adminHashes.contains(Secret.hash(token)) }

    public func createEnrollmentToken(site: String, validForSeconds: Int) async throws -> String {
        let token = Secret.make()
        enrollment[Secret.hash(token)] = (site, WallClock.nowMs() + TimestampMs(validForSeconds) * 1000, false)
        return token
    }

    public func enroll(token: String, hostname: String) async throws -> (agent: AgentRecord, secret: String)? {
        let hash = Secret.hash(token)
        guard let entry = enrollment[hash], !entry.used, entry.expires > WallClock.nowMs() else { return nil }
        enrollment[hash]?.used = true
        let record = AgentRecord(id: Secret.agentID(), site: entry.site, hostname: hostname)
        let secret = Secret.make()
        agents[record.id] = Agent(record: record, secretHash: Secret.hash(secret))
        return (record, secret)
    }

    public func authenticate(agentID: String, secret: String) async throws -> AgentRecord? {
        guard let agent = agents[agentID], !agent.record.revoked, Secret.matches(secret, hash: agent.secretHash) else { return nil }
        return agent.record
    }

    public func revoke(agentID: String) async throws -> Bool {
        guard agents[agentID]?.record.revoked == false else { return false }
        agents[agentID]?.record.revoked = true
        return true
    }

    public func agents() async throws -> [AgentRecord] { agents.values.map(\.record).sorted { $0.id < $1.id } }

    public func setProbeList(site: String?, toml: String?) async throws { probeLists[site ?? ""] = toml }
    public func probeList(site: String?) async throws -> String? { probeLists[site ?? ""] }
    public func upsert(_ site: Site) async throws { registry[site.code] = site }
    public func sites() async throws -> [Site] { registry.values.sorted { $0.code < $1.code } }
    public func site(_ code: String) async throws -> Site? { registry[code] }
}
