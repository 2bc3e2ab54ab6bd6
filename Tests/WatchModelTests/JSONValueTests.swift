import Testing
@testable import WatchModel

@Suite struct JSONValueTests {
    @Test func parsesEveryKind() throws {
        let v = try JSONValue.parse(#" {"a": [1, -2.5e1, true, false, null], "s": "x\"y\u00e1\ud83d\ude00", "o": {}} "#)
        #expect(v["a"]?.array == [.number(1), .number(-25), .bool(true), .bool(false), .null])
        #expect(v["s"]?.string == "x\"yá😀")
        #expect(v["o"] == .object([:]))
        #expect(v[path: "a", "b"] == nil)
    }

    @Test(arguments: ["", "{", "[1,", "{\"a\" 1}", "tru", "\"abc", "[1] 2", "{\"a\":}", "-", "\"\\u12\""])
    func malformedIsAnError(text: String) {
        #expect(throws: JSONError.self) { try JSONValue.parse(text) }
    }

    @Test func deepNestingIsRefusedNotACrash() {
        #expect(throws: JSONError.self) { try JSONValue.parse(String(repeating: "[", count: 10_000)) }
    }
}
