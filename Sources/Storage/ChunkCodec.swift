import Deflate
import WatchModel

/// How a chunk's points are kept: 0 is the wire's point encoding as received, 1 the same deflated
/// (a compacted day). Both stores use it, so a chunk reads the same from either.
public enum ChunkCodec {
    public static let received = 0
    public static let deflated = 1

    public static func points(_ bytes: [UInt8], codec: Int) throws -> [WirePoint] {
        try PointBlock.decode(codec == deflated ? try Deflate.decompress(bytes, limit: 64 << 20) : bytes)
    }

    /// Time-ordered points as one compacted chunk.
    public static func compacted(_ points: [WirePoint]) -> [UInt8] { Deflate.compress(PointBlock.encode(points)) }
}
