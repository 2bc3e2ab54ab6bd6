import CZlib

extension Deflate {
    /// gzip format (RFC 1952) for `Content-Encoding: gzip` replies: the raw deflate data inside a
    /// zlib stream, framed with gzip's header and its CRC-32 and length trailer (no C shim needed).
    public static func gzip(_ input: [UInt8], level: Int32 = 6) -> [UInt8] {
        let zlib = compress(input, level: level)
        // A zlib stream is a 2-byte header, the raw deflate data, and a 4-byte Adler-32.
        guard zlib.count >= 6 else { return [] }
        var out: [UInt8] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]
        out.reserveCapacity(zlib.count + 12)
        out += zlib[2..<(zlib.count - 4)]
        let crc = input.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, uInt($0.count))) }
        let size = UInt32(truncatingIfNeeded: input.count)
        for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8(truncatingIfNeeded: crc >> UInt32(shift))) }
        for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8(truncatingIfNeeded: size >> UInt32(shift))) }
        return out
    }
}
