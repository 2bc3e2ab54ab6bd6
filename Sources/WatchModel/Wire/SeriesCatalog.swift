/// What a receiver knows of one agent catalog: series ids and the metric and labels they stand for,
/// learnt from the definitions batches carry. The collector keeps one per (agent, catalog).
public struct SeriesCatalog: Sendable, Hashable {
    public private(set) var keys: [Int64: SeriesKey] = [:]

    public init() {}

    /// Takes in a batch's definitions; a redefinition replaces the old key (an agent never reuses ids).
    public mutating func learn(_ definitions: [SeriesDefinition]) {
        for d in definitions { keys[d.id] = d.key }
    }

    /// Ids the batch uses that neither this catalog nor the batch itself defines.
    public func unknownIDs(in batch: WireBatch) -> [Int64] {
        let defined = Set(batch.definitions.map(\.id))
        return batch.series.map(\.id).filter { keys[$0] == nil && !defined.contains($0) }
    }

    /// The batch's series with their keys, after learning its definitions; nil if an id is unknown.
    public mutating func resolve(_ batch: WireBatch) -> [(key: SeriesKey, points: [WirePoint])]? {
        learn(batch.definitions)
        var out: [(key: SeriesKey, points: [WirePoint])] = []
        out.reserveCapacity(batch.series.count)
        for s in batch.series {
            guard let key = keys[s.id] else { return nil }
            out.append((key, s.points))
        }
        return out
    }
}
