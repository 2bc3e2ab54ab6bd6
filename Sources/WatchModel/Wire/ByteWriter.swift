/// Appends the wire format's primitives: LEB128 varints, zigzag integers, strings, raw doubles.
package struct ByteWriter {
    package var bytes: [UInt8] = []

    package init() {}

    package mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7f) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    package mutating func zigzag(_ value: Int64) { varint(UInt64(bitPattern: (value << 1) ^ (value >> 63))) }

    package mutating func string(_ text: String) {
        let utf8 = Array(text.utf8)
        varint(UInt64(utf8.count))
        bytes += utf8
    }

    package mutating func double(_ value: Double) { uint64(value.bitPattern) }

    package mutating func raw(_ more: [UInt8]) { bytes += more }

    /// 8 bytes, little-endian.
    package mutating func uint64(_ value: UInt64) {
        for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(i)))) }
    }
}

/// Reads the wire format's primitives, refusing anything out of bounds instead of trapping.
package struct ByteReader {
    package let bytes: [UInt8]
    package var offset = 0

    package init(_ bytes: [UInt8]) { self.bytes = bytes }

    package var atEnd: Bool { offset >= bytes.count }

    package func error(_ what: String) -> BatchFormatError { BatchFormatError(offset: offset, message: what) }

    package mutating func varint() throws(BatchFormatError) -> UInt64 {
        var result: UInt64 = 0, shift: UInt64 = 0
        while true {
            guard offset < bytes.count else { throw error("truncated varint") }
            let byte = bytes[offset]
            offset += 1
            guard shift < 64 else { throw error("varint too long") }
            result |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
    }

    package mutating func count(limit: Int) throws(BatchFormatError) -> Int {
        let value = try varint()
        guard limit >= 0, value <= UInt64(limit) else { throw error("count \(value) exceeds \(max(limit, 0))") }
        return Int(value)
    }

    package mutating func zigzag() throws(BatchFormatError) -> Int64 {
        let v = try varint()
        return Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1)))
    }

    package mutating func string() throws(BatchFormatError) -> String {
        let length = try varint()
        // The length is checked against what is left after the length itself.
        guard length <= UInt64(bytes.count - offset) else { throw error("string of \(length) bytes past the end") }
        let bytes = try take(Int(length))
        // Invalid UTF-8 is refused, not repaired: a label that changed on the way is a different series.
        guard let text = String(validating: bytes, as: UTF8.self) else { throw error("a string is not valid UTF-8") }
        return text
    }

    package mutating func take(_ n: Int) throws(BatchFormatError) -> ArraySlice<UInt8> {
        guard n >= 0, offset + n <= bytes.count else { throw error("truncated: \(n) bytes needed") }
        defer { offset += n }
        return bytes[offset..<offset + n]
    }

    package mutating func uint64() throws(BatchFormatError) -> UInt64 {
        var value: UInt64 = 0
        for (i, byte) in try take(8).enumerated() { value |= UInt64(byte) << (8 * UInt64(i)) }
        return value
    }

    package mutating func double() throws(BatchFormatError) -> Double { Double(bitPattern: try uint64()) }
}

/// A batch body that does not follow the wire format, with where it went wrong.
public struct BatchFormatError: Error, Hashable, Sendable, CustomStringConvertible {
    public let offset: Int
    public let message: String
    public var description: String { "malformed batch at byte \(offset): \(message)" }
}
