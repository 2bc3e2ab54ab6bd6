@testable import TOML
import Testing
@testable import AgentRuntime

@Suite struct TOMLParserTests {
    @Test func documentWithEveryValueKind() throws {
        let table = try TOMLParser.parse(#"""
            # comment
            title = "Xã Tịnh Khê" # trailing comment
            literal = 'C:\path'
            escaped = "tab\there \u00e1"
            multi = """
            line one
            line two"""
            int = 1_000
            hex = 0xff
            neg = -7
            float = 2.5e3
            yes = true
            when = 2026-11-23T08:00:00+07:00
            list = [1, 2,
              3, # inside
            ]
            inline = { a = 1, b.c = "x" }
            "quoted key" = 1
            dotted.key = "v"

            [[probe]]
            kind = "icmp"
            [[probe]]
            kind = "tcp"
            [server.tls]
            on = false
            """#)
        #expect(table["title"]?.value == .string("Xã Tịnh Khê"))
        #expect(table["title"]?.line == 2)
        #expect(table["literal"]?.value == .string("C:\\path"))
        #expect(table["escaped"]?.value == .string("tab\there á"))
        #expect(table["multi"]?.value == .string("line one\nline two"))
        #expect(table["int"]?.value == .integer(1000))
        #expect(table["hex"]?.value == .integer(255))
        #expect(table["neg"]?.value == .integer(-7))
        #expect(table["float"]?.value == .float(2500))
        #expect(table["yes"]?.value == .boolean(true))
        #expect(table["when"]?.value == .datetime("2026-11-23T08:00:00+07:00"))
        guard case let .array(items) = table["list"]?.value else { Issue.record("list"); return }
        #expect(items.map(\.value) == [.integer(1), .integer(2), .integer(3)])
        guard case let .table(inline) = table["inline"]?.value, case let .table(b) = inline["b"]?.value else { Issue.record("inline"); return }
        #expect(b["c"]?.value == .string("x"))
        #expect(table["quoted key"]?.value == .integer(1))
        guard case let .table(dotted) = table["dotted"]?.value else { Issue.record("dotted"); return }
        #expect(dotted["key"]?.value == .string("v"))
        guard case let .array(probes) = table["probe"]?.value else { Issue.record("probes"); return }
        #expect(probes.count == 2)
        #expect(probes.map(\.line) == [21, 23])
        guard case let .table(server) = table["server"]?.value, case let .table(tls) = server["tls"]?.value else { Issue.record("server"); return }
        #expect(tls["on"]?.value == .boolean(false))
    }

    @Test(arguments: [
        ("a = 1\na = 2", 2, "duplicate key a (first set on line 1)"),
        ("a = ", 1, "expected a value"),
        ("a = bare", 1, "strings need quotes"),
        ("[t]\n[t]", 2, "already defined on line 1"),
        ("a = 1 b = 2", 1, "expected the end of the line"),
        ("a = \"\\q\"", 1, "invalid escape"),
        ("a = [1, 2", 1, "expected ',' or ']'"),
        ("= 1", 1, "expected a key"),
        ("a = 1\n[a.b]", 2, "not a table"),
        ("x = \"\"\"\nopen", 1, "unterminated multi-line string"),
        ("n = 012", 1, "not a valid value"),
    ])
    func errorsNameTheLine(source: String, line: Int, fragment: String) {
        do {
            _ = try TOMLParser.parse(source)
            Issue.record("accepted: \(source)")
        } catch {
            #expect(error.line == line, "\(source): \(error)")
            #expect(error.message.contains(fragment), "\(source): \(error.message)")
        }
    }

    @Test func randomInputNeverCrashes() {
        let alphabet = Array("[]{}=\"'.,#\n \t-_abc123\\ufxé")
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<3000 {
            let length = Int.random(in: 0...40, using: &generator)
            let text = String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
            _ = try? TOMLParser.parse(text)
            _ = try? AgentConfig.parse(text, source: "fuzz")
        }
    }
}
