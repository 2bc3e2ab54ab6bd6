/// Format CWB2: series named by catalog ids (metric and labels travel once per series, not once
/// per batch), delta-of-delta timestamps and values as integer or scaled-decimal deltas (raw
/// XOR-ed doubles only when nothing else fits). See docs/protocol.md. The uploader deflates it.
extension WireBatch {
    public static let magic: [UInt8] = Array("CWB2".utf8)
    /// Limits that keep a hostile body from making the decoder allocate without bound.
    static let maxItems = 1_000_000

    public func encoded() -> [UInt8] {
        var strings: [String] = [], index: [String: Int] = [:]
        func intern(_ s: String) -> Int {
            if let i = index[s] { return i }
            index[s] = strings.count
            strings.append(s)
            return strings.count - 1
        }
        for d in definitions {
            _ = intern(d.key.metric)
            for label in d.key.labels { _ = intern(label.name); _ = intern(label.value) }
        }
        for e in events {
            _ = intern(e.kind)
            for (k, v) in e.labels.sorted(by: { $0.key < $1.key }) { _ = intern(k); _ = intern(v) }
        }
        var w = ByteWriter()
        w.raw(Self.magic)
        w.raw(id.count == 16 ? id : Array((id + [UInt8](repeating: 0, count: 16)).prefix(16)))
        w.zigzag(agentTime)
        w.varint(clockSynced == nil ? 0 : clockSynced! ? 1 : 2)
        w.zigzag(syncedSince ?? 0)
        w.string(path)
        w.string(site)
        w.uint64(catalog)
        w.varint(UInt64(strings.count))
        for s in strings { w.string(s) }
        w.varint(UInt64(definitions.count))
        for d in definitions {
            w.zigzag(d.id)
            w.varint(UInt64(index[d.key.metric]!))
            w.varint(UInt64(d.key.labels.count))
            for label in d.key.labels {
                w.varint(UInt64(index[label.name]!))
                w.varint(UInt64(index[label.value]!))
            }
        }
        // Ids and first timestamps as deltas from the series before: consecutive ids and the
        // shared timestamp of one probe's series cost a byte each, which deflate then squeezes.
        w.varint(UInt64(series.count))
        var previousID: Int64 = 0, previousStart = agentTime
        for s in series {
            w.zigzag(s.id &- previousID &- 1)
            previousID = s.id
            let start = s.points.first?.timestamp ?? previousStart
            Self.encode(points: s.points, from: previousStart, into: &w)
            previousStart = start
        }
        w.varint(UInt64(events.count))
        for e in events {
            w.zigzag(e.timestamp)
            w.varint(UInt64(index[e.kind]!))
            let labels = e.labels.sorted { $0.key < $1.key }
            w.varint(UInt64(labels.count))
            for (k, v) in labels { w.varint(UInt64(index[k]!)); w.varint(UInt64(index[v]!)) }
            w.string(e.text)
            if let document = e.document { w.varint(1); w.string(document) } else { w.varint(0) }
        }
        return w.bytes
    }

    static func encode(points: [WirePoint], from start: TimestampMs, into w: inout ByteWriter) {
        w.varint(UInt64(points.count))
        // Timestamps: the first as a delta from `start`, then delta-of-delta (0 for a probe on its schedule).
        var previous: Int64 = 0, previousDelta: Int64 = 0
        for (i, p) in points.enumerated() {
            if i == 0 { w.zigzag(p.timestamp &- start) } else {
                let delta = p.timestamp &- previous
                w.zigzag(delta &- previousDelta)
                previousDelta = delta
            }
            previous = p.timestamp
        }
        encode(values: points.map(\.value), into: &w)
        let aggregates = points.filter { $0.aggregate != nil }
        w.varint(aggregates.isEmpty ? 0 : 1)
        if !aggregates.isEmpty {
            for p in points {
                guard let a = p.aggregate else { w.varint(0); continue }
                w.varint(UInt64(max(a.count, 1)))
                w.double(a.min)
                w.double(a.max)
            }
        }
    }

    /// Mode 0..9: every value × 10^mode is an integer (exactly): zigzag deltas of those integers.
    /// Mode 255: XOR of each double with the previous one, 8 bytes (deflate squeezes the zeros).
    static func encode(values: [Double], into w: inout ByteWriter) {
        for exponent in 0...9 {
            let scale = power(exponent)
            var integers: [Int64] = []
            integers.reserveCapacity(values.count)
            var exact = true
            for v in values {
                let scaled = (v * scale).rounded()
                guard v.isFinite, abs(scaled) < 9e15, scaled / scale == v else { exact = false; break }
                integers.append(Int64(scaled))
            }
            guard exact else { continue }
            w.varint(UInt64(exponent))
            var previous: Int64 = 0
            for n in integers {
                w.zigzag(n &- previous)
                previous = n
            }
            return
        }
        w.varint(255)
        var previous: UInt64 = 0
        for v in values {
            let bits = v.bitPattern
            w.uint64(bits ^ previous)
            previous = bits
        }
    }

    static func power(_ exponent: Int) -> Double {
        var p = 1.0
        for _ in 0..<exponent { p *= 10 }
        return p
    }
}
