/// The points of one series as a compact block, in the wire format's encoding (delta-of-delta
/// timestamps, scaled-decimal value deltas): what the collector stores as a chunk.
public enum PointBlock {
    public static func encode(_ points: [WirePoint]) -> [UInt8] {
        var w = ByteWriter()
        WireBatch.encode(points: points, from: 0, into: &w)
        return w.bytes
    }

    public static func decode(_ bytes: [UInt8]) throws(BatchFormatError) -> [WirePoint] {
        var r = ByteReader(bytes)
        let points = try WireBatch.decodePoints(&r, from: 0)
        guard r.atEnd else { throw r.error("unexpected bytes after the points") }
        return points
    }
}
