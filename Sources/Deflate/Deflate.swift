import CZlib

/// zlib-format compression of upload bodies (`Content-Encoding: deflate`), the one owner of zlib streams.
public enum Deflate {
    /// Compresses `input` (level 9: the line is thin, the CPU cost is a few milliseconds a batch).
    public static func compress(_ input: [UInt8], level: Int32 = 9) -> [UInt8] {
        var stream = z_stream()
        guard cw_deflate_init(&stream, level) == Z_OK else { return [] }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))))
        var input = input
        let produced = input.withUnsafeMutableBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                stream.next_in = source.baseAddress
                stream.avail_in = uInt(source.count)
                stream.next_out = target.baseAddress
                stream.avail_out = uInt(target.count)
                _ = deflate(&stream, Z_FINISH)
                return target.count - Int(stream.avail_out)
            }
        }
        return Array(output.prefix(produced))
    }

    /// Inflates, refusing to produce more than `limit` bytes (a small body must not unpack into gigabytes).
    public static func decompress(_ input: [UInt8], limit: Int) throws(DeflateError) -> [UInt8] {
        var stream = z_stream()
        guard cw_inflate_init(&stream) == Z_OK else { throw DeflateError.corrupt("cannot start zlib") }
        defer { inflateEnd(&stream) }
        var input = input
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        var status: Int32 = Z_OK
        try input.withUnsafeMutableBufferPointer { (source: inout UnsafeMutableBufferPointer<UInt8>) throws(DeflateError) in
            stream.next_in = source.baseAddress
            stream.avail_in = uInt(source.count)
            while status != Z_STREAM_END {
                let produced = chunk.withUnsafeMutableBufferPointer { target in
                    stream.next_out = target.baseAddress
                    stream.avail_out = uInt(target.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    return target.count - Int(stream.avail_out)
                }
                guard status == Z_OK || status == Z_STREAM_END else {
                    throw DeflateError.corrupt(status == Z_BUF_ERROR ? "truncated body" : "not zlib data (code \(status))")
                }
                output += chunk[0..<produced]
                guard output.count <= limit else { throw DeflateError.tooLarge(limit) }
                if produced == 0 && stream.avail_in == 0 && status != Z_STREAM_END { throw DeflateError.corrupt("truncated body") }
            }
        }
        return output
    }
}

/// A body that cannot be inflated, or would be too large.
public enum DeflateError: Error, Hashable, Sendable, CustomStringConvertible {
    case corrupt(String)
    case tooLarge(Int)

    public var description: String {
        switch self {
        case let .corrupt(why): "invalid compressed body: \(why)"
        case let .tooLarge(limit): "body inflates to more than \(limit) bytes"
        }
    }
}
