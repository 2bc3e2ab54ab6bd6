/// DNS wire format (RFC 1035): builds one query and reads the parts of a reply a probe needs.
public enum DNSMessage {
    /// Record types the probe can ask for, by name.
    public static let recordTypes: [String: UInt16] = [
        "A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "MX": 15, "TXT": 16, "AAAA": 28, "SRV": 33, "ANY": 255,
    ]

    /// Builds a recursive query for `name` and `type`; nil when the name is not a valid DNS name.
    static func query(id: UInt16, name: String, type: UInt16) -> [UInt8]? {
        var out: [UInt8] = [UInt8(id >> 8), UInt8(id & 0xff), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        let trimmed = labels.last == "" ? labels.dropLast() : labels[...]
        guard !trimmed.isEmpty || name == "." else { return nil }
        var total = 0
        for label in trimmed where !(name == "." && label.isEmpty) {
            let bytes = Array(label.utf8)
            guard (1...63).contains(bytes.count) else { return nil }
            total += bytes.count + 1
            out.append(UInt8(bytes.count))
            out += bytes
        }
        guard total < 255 else { return nil }
        out += [0, UInt8(type >> 8), UInt8(type & 0xff), 0, 1]
        return out
    }

    /// The header fields and answers of a reply.
    struct Reply: Equatable {
        var id: UInt16
        var rcode: Int
        var truncated: Bool
        var answerCount: Int
        /// A, AAAA and CNAME answers as text, in order.
        var answers: [String]
    }

    /// Parses a reply; nil when it is too short or malformed.
    static func parse(_ bytes: [UInt8]) -> Reply? {
        guard bytes.count >= 12, bytes[2] & 0x80 != 0 else { return nil }
        let id = UInt16(bytes[0]) << 8 | UInt16(bytes[1])
        let rcode = Int(bytes[3] & 0x0f)
        let truncated = bytes[2] & 0x02 != 0
        let questions = Int(bytes[4]) << 8 | Int(bytes[5])
        let answerCount = Int(bytes[6]) << 8 | Int(bytes[7])
        var offset = 12
        for _ in 0..<questions {
            guard let end = skipName(bytes, offset), end + 4 <= bytes.count else { return nil }
            offset = end + 4
        }
        var answers: [String] = []
        for _ in 0..<answerCount {
            guard let end = skipName(bytes, offset), end + 10 <= bytes.count else { break }
            let type = UInt16(bytes[end]) << 8 | UInt16(bytes[end + 1])
            let length = Int(bytes[end + 8]) << 8 | Int(bytes[end + 9])
            let data = end + 10
            guard data + length <= bytes.count else { break }
            if type == 1, length == 4 {
                answers.append(bytes[data..<data + 4].map(String.init).joined(separator: "."))
            } else if type == 28, length == 16, let v6 = SocketAddress(ipv6Bytes: Array(bytes[data..<data + 16])) {
                answers.append(v6.host)
            } else if type == 5, let name = readName(bytes, data) {
                answers.append(name)
            }
            offset = data + length
        }
        return Reply(id: id, rcode: rcode, truncated: truncated, answerCount: answerCount, answers: answers)
    }

    /// The offset after a (possibly compressed) name.
    private static func skipName(_ bytes: [UInt8], _ start: Int) -> Int? {
        var offset = start
        while offset < bytes.count {
            let length = Int(bytes[offset])
            if length == 0 { return offset + 1 }
            if length & 0xc0 == 0xc0 { return offset + 2 <= bytes.count ? offset + 2 : nil }
            offset += length + 1
        }
        return nil
    }

    private static func readName(_ bytes: [UInt8], _ start: Int) -> String? {
        var labels: [String] = []
        var offset = start
        var jumps = 0
        while offset < bytes.count, jumps < 20 {
            let length = Int(bytes[offset])
            if length == 0 { return labels.joined(separator: ".") + "." }
            if length & 0xc0 == 0xc0 {
                guard offset + 1 < bytes.count else { return nil }
                offset = (length & 0x3f) << 8 | Int(bytes[offset + 1])
                jumps += 1
                continue
            }
            guard offset + 1 + length <= bytes.count else { return nil }
            labels.append(String(decoding: bytes[offset + 1..<offset + 1 + length], as: UTF8.self))
            offset += length + 1
        }
        return nil
    }

    /// Human name of an rcode.
    public static func rcodeName(_ rcode: Int) -> String {
        let names = ["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"]
        return names.indices.contains(rcode) ? names[rcode] : "RCODE\(rcode)"
    }
}
