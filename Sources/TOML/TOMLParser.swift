import WatchModel
/// A TOML 1.0 reader that keeps the line of every key, since every configuration error must name its line.
///
/// TOMLKit (toml++) exposes no source positions for values and pulls in full Foundation, which the
/// agent's memory target cannot afford; this reader covers TOML 1.0 without either.
public struct TOMLParser {
    private let text: [Unicode.Scalar]
    private var index = 0
    private var line = 1
    private var root = TOMLTable(line: 1)
    private var current: [String] = []

    public init(_ source: String) { text = Array(source.unicodeScalars) }

    /// Parses a whole document.
    public static func parse(_ source: String) throws(TOMLError) -> TOMLTable {
        var parser = TOMLParser(source)
        return try parser.document()
    }

    private mutating func document() throws(TOMLError) -> TOMLTable {
        while true {
            skipBlank(newlines: true)
            guard let c = peek() else { return root }
            if c == "[" {
                try header()
            } else {
                let startLine = line
                let keys = try keyPath()
                skipBlank(newlines: false)
                guard peek() == "=" else { throw error("expected '=' after the key \(keys.joined(separator: "."))") }
                index += 1
                skipBlank(newlines: false)
                let value = try parseValue()
                try assign(keys, TOMLNode(value: value, line: startLine), under: current)
                try endOfLine()
            }
        }
    }

    // MARK: tables

    private mutating func header() throws(TOMLError) {
        let headerLine = line
        index += 1
        let isArray = peek() == "["
        if isArray { index += 1 }
        skipBlank(newlines: false)
        let path = try keyPath()
        skipBlank(newlines: false)
        guard peek() == "]" else { throw error("expected ']' to close the table header") }
        index += 1
        if isArray {
            guard peek() == "]" else { throw error("expected ']]' to close the array-of-tables header") }
            index += 1
        }
        try endOfLine()
        let last = path[path.count - 1]
        try Self.walk(&root, path.dropLast(), line: headerLine) { (table: inout TOMLTable) throws(TOMLError) in
            if isArray {
                if let existing = table[last] {
                    guard case var .array(items) = existing.value, table.arraysOfTables.contains(last) else {
                        throw TOMLError(line: headerLine, message: "\(path.joined(separator: ".")) is already defined on line \(existing.line) as a \(existing.value.typeName), not an array of tables")
                    }
                    items.append(TOMLNode(value: .table(TOMLTable(line: headerLine)), line: headerLine))
                    table.set(last, TOMLNode(value: .array(items), line: existing.line))
                } else {
                    table.arraysOfTables.insert(last)
                    table.set(last, TOMLNode(value: .array([TOMLNode(value: .table(TOMLTable(line: headerLine)), line: headerLine)]), line: headerLine))
                }
            } else if let existing = table[last] {
                guard case var .table(sub) = existing.value, sub.implicit, !sub.sealed else {
                    throw TOMLError(line: headerLine, message: "table [\(path.joined(separator: "."))] is already defined on line \(existing.line)")
                }
                sub.implicit = false
                sub.line = headerLine
                table.set(last, TOMLNode(value: .table(sub), line: headerLine))
            } else {
                table.set(last, TOMLNode(value: .table(TOMLTable(line: headerLine)), line: headerLine))
            }
        }
        current = path
    }

    /// Sets `keys` (a dotted key) below the table at `base`.
    private mutating func assign(_ keys: [String], _ node: TOMLNode, under base: [String]) throws(TOMLError) {
        let last = keys[keys.count - 1]
        try Self.walk(&root, (base + keys.dropLast())[...], line: node.line) { (table: inout TOMLTable) throws(TOMLError) in
            if let existing = table[last] {
                throw TOMLError(line: node.line, message: "duplicate key \(keys.joined(separator: ".")) (first set on line \(existing.line))")
            }
            table.set(last, node)
        }
    }

    /// Descends `path` from `table`, creating implicit tables, entering the last table of arrays of tables.
    private static func walk(_ table: inout TOMLTable, _ path: ArraySlice<String>, line: Int,
                             _ body: (inout TOMLTable) throws(TOMLError) -> Void) throws(TOMLError) {
        guard let key = path.first else { return try body(&table) }
        var node = table[key] ?? TOMLNode(value: .table(TOMLTable(line: line, implicit: true)), line: line)
        switch node.value {
        case var .table(sub):
            if sub.sealed { throw TOMLError(line: line, message: "\(key) is an inline table (line \(node.line)) and cannot be extended") }
            try walk(&sub, path.dropFirst(), line: line, body)
            node.value = .table(sub)
        case var .array(items) where table.arraysOfTables.contains(key):
            guard case var .table(sub) = items[items.count - 1].value else { return }
            try walk(&sub, path.dropFirst(), line: line, body)
            items[items.count - 1].value = .table(sub)
            node.value = .array(items)
        default:
            throw TOMLError(line: line, message: "\(key) is a \(node.value.typeName) (line \(node.line)), not a table")
        }
        table.set(key, node)
    }

    // MARK: keys

    private mutating func keyPath() throws(TOMLError) -> [String] {
        var keys = [try simpleKey()]
        while true {
            skipBlank(newlines: false)
            guard peek() == "." else { return keys }
            index += 1
            skipBlank(newlines: false)
            keys.append(try simpleKey())
        }
    }

    private mutating func simpleKey() throws(TOMLError) -> String {
        guard let c = peek() else { throw error("expected a key") }
        if c == "\"" || c == "'" {
            if peek(1) == c && peek(2) == c { throw error("a key cannot be a multi-line string") }
            return try singleLineString()
        }
        var key = ""
        while let c = peek(), ("a"..."z").contains(c) || ("A"..."Z").contains(c)
                || c == "_" || c == "-" || ("0"..."9").contains(c) {
            key.unicodeScalars.append(c)
            index += 1
        }
        if key.isEmpty { throw error("expected a key (letters, digits, '_' or '-', or a quoted string), found \(describe(c))") }
        return key
    }

    // MARK: values

    private mutating func parseValue() throws(TOMLError) -> TOMLValue {
        guard let c = peek() else { throw error("expected a value after '='") }
        switch c {
        case "\"", "'":
            if peek(1) == c && peek(2) == c { return .string(try multiLineString()) }
            return .string(try singleLineString())
        case "[": return try array()
        case "{": return try inlineTable()
        case "t", "f":
            if match("true") { return .boolean(true) }
            if match("false") { return .boolean(false) }
            throw error("expected a value (string, number, true/false, array or inline table)")
        default:
            return try numberOrDate()
        }
    }

    private mutating func array() throws(TOMLError) -> TOMLValue {
        index += 1
        var items: [TOMLNode] = []
        while true {
            skipBlank(newlines: true)
            if peek() == "]" { index += 1; return .array(items) }
            let itemLine = line
            items.append(TOMLNode(value: try parseValue(), line: itemLine))
            skipBlank(newlines: true)
            if peek() == "," { index += 1; continue }
            if peek() == "]" { index += 1; return .array(items) }
            throw error("expected ',' or ']' in the array, found \(describe(peek()))")
        }
    }

    private mutating func inlineTable() throws(TOMLError) -> TOMLValue {
        let startLine = line
        index += 1
        var table = TOMLTable(line: startLine)
        skipBlank(newlines: false)
        if peek() == "}" { index += 1; table.sealed = true; return .table(table) }
        while true {
            skipBlank(newlines: false)
            let keyLine = line
            let keys = try keyPath()
            skipBlank(newlines: false)
            guard peek() == "=" else { throw error("expected '=' after the key \(keys.joined(separator: "."))") }
            index += 1
            skipBlank(newlines: false)
            let node = TOMLNode(value: try parseValue(), line: keyLine)
            let last = keys[keys.count - 1]
            try Self.walk(&table, keys.dropLast(), line: keyLine) { (t: inout TOMLTable) throws(TOMLError) in
                if t[last] != nil { throw TOMLError(line: keyLine, message: "duplicate key \(keys.joined(separator: ".")) in the inline table") }
                t.set(last, node)
            }
            skipBlank(newlines: false)
            if peek() == "," { index += 1; continue }
            if peek() == "}" { index += 1; table.sealed = true; return .table(table) }
            throw error("expected ',' or '}' in the inline table, found \(describe(peek()))")
        }
    }

    private mutating func numberOrDate() throws(TOMLError) -> TOMLValue {
        var token = ""
        while let c = peek(), c.properties.isAlphabetic || ("0"..."9").contains(c) || "+-._:".unicodeScalars.contains(c) {
            token.unicodeScalars.append(c)
            index += 1
        }
        // "1979-05-27 07:32:00": a date, a space, then a time.
        if token.count == 10, token.unicodeScalars.filter({ $0 == "-" }).count == 2, peek() == " ",
           let d = peek(1), ("0"..."9").contains(d) {
            index += 1
            while let c = peek(), ("0"..."9").contains(c) || ":.+-Zz".unicodeScalars.contains(c) {
                token.unicodeScalars.append(c)
                index += 1
            }
        }
        if token.isEmpty { throw error("expected a value (string, number, true/false, array or inline table), found \(describe(peek()))") }
        if let value = Self.integer(token) { return .integer(value) }
        if let value = Self.float(token) { return .float(value) }
        if Self.looksLikeDate(token) { return .datetime(token) }
        throw error("\(token) is not a valid value: strings need quotes, e.g. \"\(token)\"")
    }

    static func integer(_ token: String) -> Int64? {
        var t = Substring(token)
        if t.includes("__") || t.hasPrefix("_") || t.hasSuffix("_") { return nil }
        t = Substring(t.filter { $0 != "_" })
        for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] where t.hasPrefix(prefix) {
            return Int64(t.dropFirst(2), radix: radix)
        }
        let digits = t.hasPrefix("+") || t.hasPrefix("-") ? t.dropFirst() : t
        if digits.count > 1 && digits.hasPrefix("0") { return nil }
        return Int64(t)
    }

    static func float(_ token: String) -> Double? {
        switch token {
        case "inf", "+inf": return .infinity
        case "-inf": return -.infinity
        case "nan", "+nan", "-nan": return .nan
        default: break
        }
        guard token.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }), !token.includes("__") else { return nil }
        return Double(token.filter { $0 != "_" })
    }

    static func looksLikeDate(_ token: String) -> Bool {
        let s = Array(token.unicodeScalars)
        let digit: (Int) -> Bool = { $0 < s.count && ("0"..."9").contains(s[$0]) }
        if s.count >= 10, (0..<4).allSatisfy(digit), s[4] == "-", digit(5), digit(6), s[7] == "-", digit(8), digit(9) { return true }
        return s.count >= 8 && digit(0) && digit(1) && s[2] == ":" && digit(3) && digit(4) && s[5] == ":"
    }

    // MARK: strings

    private mutating func singleLineString() throws(TOMLError) -> String {
        let quote = peek()!
        index += 1
        var out = ""
        while let c = peek() {
            if c == "\n" { break }
            index += 1
            if c == quote { return out }
            if c == "\\" && quote == "\"" { try escape(into: &out) } else { out.unicodeScalars.append(c) }
        }
        throw error("unterminated string: a closing \(quote) is missing on this line")
    }

    private mutating func multiLineString() throws(TOMLError) -> String {
        let quote = peek()!
        let startLine = line
        index += 3
        if peek() == "\n" { index += 1; line += 1 } else if peek() == "\r", peek(1) == "\n" { index += 2; line += 1 }
        var out = ""
        while let c = peek() {
            if c == quote, peek(1) == quote, peek(2) == quote {
                index += 3
                // Up to two quotes right before the closing delimiter belong to the string.
                var extra = 0
                while peek() == quote, extra < 2 { out.unicodeScalars.append(quote); index += 1; extra += 1 }
                return out
            }
            index += 1
            if c == "\n" { line += 1 }
            if c == "\\" && quote == "\"" {
                // A backslash at the end of a line trims the newline and following whitespace.
                var probe = index
                while probe < text.count, text[probe] == " " || text[probe] == "\t" { probe += 1 }
                if probe < text.count, text[probe] == "\n" || text[probe] == "\r" {
                    index = probe
                    while let w = peek(), w == " " || w == "\t" || w == "\n" || w == "\r" {
                        if w == "\n" { line += 1 }
                        index += 1
                    }
                    continue
                }
                try escape(into: &out)
            } else {
                out.unicodeScalars.append(c)
            }
        }
        throw TOMLError(line: startLine, message: "unterminated multi-line string: closing \(String(repeating: String(quote), count: 3)) is missing")
    }

    private mutating func escape(into out: inout String) throws(TOMLError) {
        guard let e = peek() else { throw error("unterminated escape sequence") }
        index += 1
        switch e {
        case "b": out += "\u{08}"
        case "t": out += "\t"
        case "n": out += "\n"
        case "f": out += "\u{0C}"
        case "r": out += "\r"
        case "e": out += "\u{1B}"
        case "\"": out += "\""
        case "\\": out += "\\"
        case "u", "U":
            let count = e == "u" ? 4 : 8
            var hex = ""
            for _ in 0..<count {
                guard let h = peek(), h.properties.isASCIIHexDigit else { throw error("\\\(e) needs \(count) hexadecimal digits") }
                hex.unicodeScalars.append(h)
                index += 1
            }
            guard let value = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(value) else {
                throw error("\\\(e)\(hex) is not a valid Unicode scalar")
            }
            out.unicodeScalars.append(scalar)
        default:
            throw error("invalid escape \\\(e) in a string: use \\\\ for a backslash, or a 'literal string'")
        }
    }

    // MARK: lexing

    private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        index + offset < text.count ? text[index + offset] : nil
    }

    private mutating func match(_ word: String) -> Bool {
        let scalars = Array(word.unicodeScalars)
        guard index + scalars.count <= text.count, Array(text[index..<index + scalars.count]) == scalars else { return false }
        if let after = peek(scalars.count), after.properties.isAlphabetic || ("0"..."9").contains(after) { return false }
        index += scalars.count
        return true
    }

    private mutating func skipBlank(newlines: Bool) {
        while let c = peek() {
            if c == " " || c == "\t" || c == "\r" { index += 1 }
            else if c == "\n" && newlines { index += 1; line += 1 }
            else if c == "#" { while let d = peek(), d != "\n" { index += 1 } }
            else { return }
        }
    }

    private mutating func endOfLine() throws(TOMLError) {
        skipBlank(newlines: false)
        guard let c = peek() else { return }
        guard c == "\n" else { throw error("unexpected \(describe(c)) after the value: expected the end of the line or a # comment") }
    }

    private func describe(_ c: Unicode.Scalar?) -> String {
        guard let c else { return "the end of the file" }
        return c == "\n" ? "the end of the line" : "'\(c)'"
    }

    private func error(_ message: String) -> TOMLError { TOMLError(line: line, message: message) }
}

extension TOMLTable {
    init(line: Int, implicit: Bool) {
        self.init(line: line)
        self.implicit = implicit
    }
}
