extension WireBatch {
    /// Reads a CWB2 body (already inflated); every malformation is a `BatchFormatError`, never a trap.
    public static func decode(_ bytes: [UInt8]) throws(BatchFormatError) -> WireBatch {
        var r = ByteReader(bytes)
        guard Array(try r.take(4)) == magic else { throw r.error("not a CWB2 batch (bad magic)") }
        let id = Array(try r.take(16))
        let agentTime = try r.zigzag()
        let synced = try r.varint()
        let since = try r.zigzag()
        var batch = WireBatch(id: id, agentTime: agentTime, clockSynced: synced == 0 ? nil : synced == 1,
                              syncedSince: since == 0 ? nil : since, path: try r.string(), site: try r.string(),
                              catalog: try r.uint64())
        let stringCount = try r.count(limit: maxItems)
        var strings: [String] = []
        strings.reserveCapacity(min(stringCount, 4096))
        for _ in 0..<stringCount { strings.append(try r.string()) }
        func string(_ r: inout ByteReader) throws(BatchFormatError) -> String {
            let i = try r.count(limit: strings.count - 1)
            guard i < strings.count else { throw r.error("string index \(i) out of range") }
            return strings[i]
        }
        let definitionCount = try r.count(limit: maxItems)
        for _ in 0..<definitionCount {
            let id = try r.zigzag()
            let metric = try string(&r)
            let labelCount = try r.count(limit: 64)
            var labels: [String: String] = [:]
            for _ in 0..<labelCount {
                let name = try string(&r)
                labels[name] = try string(&r)
            }
            batch.definitions.append(SeriesDefinition(id: id, key: SeriesKey(metric, labels)))
        }
        let seriesCount = try r.count(limit: maxItems)
        var previousID: Int64 = 0, previousStart = agentTime
        for _ in 0..<seriesCount {
            let id = previousID &+ 1 &+ (try r.zigzag())
            previousID = id
            let points = try decodePoints(&r, from: previousStart)
            previousStart = points.first?.timestamp ?? previousStart
            batch.series.append(WireSeries(id: id, points: points))
        }
        let eventCount = try r.count(limit: maxItems)
        for _ in 0..<eventCount {
            let timestamp = try r.zigzag()
            let kind = try string(&r)
            let labelCount = try r.count(limit: 64)
            var labels: [String: String] = [:]
            for _ in 0..<labelCount {
                let name = try string(&r)
                labels[name] = try string(&r)
            }
            let text = try r.string()
            let document = try r.varint() == 1 ? try r.string() : nil
            batch.events.append(Event(kind: kind, timestamp: timestamp, labels: labels, text: text, document: document))
        }
        guard r.atEnd else { throw r.error("unexpected bytes after the last event") }
        return batch
    }

    static func decodePoints(_ r: inout ByteReader, from start: TimestampMs) throws(BatchFormatError) -> [WirePoint] {
        let count = try r.count(limit: maxItems)
        // Each point takes at least two bytes: a count beyond what is left is a lie.
        guard count <= (r.bytes.count - r.offset) / 2 + 1 else { throw r.error("\(count) points cannot fit in what is left") }
        var timestamps: [Int64] = []
        timestamps.reserveCapacity(count)
        var previous: Int64 = 0, previousDelta: Int64 = 0
        for i in 0..<count {
            if i == 0 { previous = start &+ (try r.zigzag()) } else {
                previousDelta = previousDelta &+ (try r.zigzag())
                previous = previous &+ previousDelta
            }
            timestamps.append(previous)
        }
        let mode = try r.varint()
        var values: [Double] = []
        values.reserveCapacity(count)
        if mode <= 9 {
            let scale = power(Int(mode))
            var n: Int64 = 0
            for _ in 0..<count {
                n = n &+ (try r.zigzag())
                values.append(Double(n) / scale)
            }
        } else if mode == 255 {
            var bits: UInt64 = 0
            for _ in 0..<count {
                bits ^= try r.uint64()
                values.append(Double(bitPattern: bits))
            }
        } else {
            throw r.error("unknown value encoding \(mode)")
        }
        var points = zip(timestamps, values).map { WirePoint(timestamp: $0, value: $1) }
        if try r.varint() == 1 {
            for i in 0..<count {
                let n = try r.varint()
                guard n > 0 else { continue }
                points[i].aggregate = .init(min: try r.double(), max: try r.double(), count: Int(min(n, UInt64(Int.max))))
            }
        }
        return points
    }
}
