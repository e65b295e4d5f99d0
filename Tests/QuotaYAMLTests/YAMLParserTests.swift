import QuotaConfig
import Testing
@testable import QuotaYAML

/// Valid documents compared with the JSON that says the same thing.
@Suite struct YAMLParserTests {
    static let pairs: [(yaml: String, json: String)] = [
        ("a: 1\n", #"{"a": 1}"#),
        ("a: 1\nb: two\n", #"{"a": 1, "b": "two"}"#),
        ("# leading comment\na: 1 # trailing\n\n# between\nb: x#y\n", #"{"a": 1, "b": "x#y"}"#),
        ("a:\n  b:\n    c: deep\n  d: [1, 2]\n", #"{"a": {"b": {"c": "deep"}, "d": [1, 2]}}"#),
        ("list:\n  - 1\n  - two\n  - \"three\"\n", #"{"list": [1, "two", "three"]}"#),
        ("list:\n- a\n- b\nnext: 1\n", #"{"list": ["a", "b"], "next": 1}"#),
        ("targets:\n  - account: a\n    limit: 5\n  - account: b\n    labels: {team: edge}\n",
         #"{"targets": [{"account": "a", "limit": 5}, {"account": "b", "labels": {"team": "edge"}}]}"#),
        ("- - a\n  - b\n- c\n", #"[["a", "b"], "c"]"#),
        ("a: {x: 1, y: [true, false, null], 'z': \"q\"}\n", #"{"a": {"x": 1, "y": [true, false, null], "z": "q"}}"#),
        ("a: [\n    1,\n    2,\n  ]\n", #"{"a": [1, 2]}"#),
        ("a: {\"k\":1, \"l\": 2}\n", #"{"a": {"k": 1, "l": 2}}"#),
        ("a: ~\nb: null\nc:\nd: Null\n", #"{"a": null, "b": null, "c": null, "d": null}"#),
        ("a: true\nb: True\nc: FALSE\nd: yes\ne: on\nf: off\n",
         #"{"a": true, "b": true, "c": false, "d": "yes", "e": "on", "f": "off"}"#),
        ("a: 0x10\nb: 0o17\nc: -12\nd: +7\ne: 007\nf: 1.5\ng: .5\nh: 1e3\ni: -2.5E-3\nj: 1_000\nk: 0b1\nl: 1.\n",
         #"{"a": 16, "b": 15, "c": -12, "d": 7, "e": 7, "f": 1.5, "g": 0.5, "h": 1e3, "i": -2.5e-3, "j": "1_000", "k": "0b1", "l": 1.0}"#),
        ("a: 123456789012345678901234567890\n", #"{"a": 123456789012345678901234567890}"#),
        ("url: http://example.com:8080/x?y=1\ntime: 2026-01-01T00:00:00Z\n",
         #"{"url": "http://example.com:8080/x?y=1", "time": "2026-01-01T00:00:00Z"}"#),
        ("a: 'it''s'\nb: \"tab\\there\\n\"\nc: \"\\u00e9\\x41\\U0001F600\"\nd: '\\n'\n",
         #"{"a": "it's", "b": "tab\there\n", "c": "éA😀", "d": "\\n"}"#),
        ("a: \"\\uD83D\\uDE00\"\n", #"{"a": "😀"}"#),
        ("a: plain\n  folded\n  text\nb: x\n", #"{"a": "plain folded text", "b": "x"}"#),
        ("a: one\n\n  two\n", #"{"a": "one\ntwo"}"#),
        ("a: \"one\n  two\n\n  three\"\n", #"{"a": "one two\nthree"}"#),
        ("a: \"joined\\\n  here\"\n", #"{"a": "joinedhere"}"#),
        ("a: 'x\n  y'\n", #"{"a": "x y"}"#),
        ("key: |\n  line 1\n  line 2\nnext: 1\n", #"{"key": "line 1\nline 2\n", "next": 1}"#),
        ("key: |-\n  line 1\n  line 2\n\n", #"{"key": "line 1\nline 2"}"#),
        ("key: |+\n  line 1\n\n\nnext: 1\n", #"{"key": "line 1\n\n\n", "next": 1}"#),
        ("key: >\n  folded\n  text\n\n  para\n", #"{"key": "folded text\npara\n"}"#),
        ("key: >\n  a\n    indented\n  b\n", #"{"key": "a\n  indented\nb\n"}"#),
        ("key: |2\n    two extra\n  base\n", #"{"key": "  two extra\nbase\n"}"#),
        ("key: | # comment\n  x\n", #"{"key": "x\n"}"#),
        ("- |\n  in a list\n- x\n", #"["in a list\n", "x"]"#),
        ("---\na: 1\n...\n", #"{"a": 1}"#),
        ("--- # doc\na: 1\n", #"{"a": 1}"#),
        ("--- {a: 1}\n", #"{"a": 1}"#),
        ("\u{FEFF}a: 1\r\nb: 2\r\n", #"{"a": 1, "b": 2}"#),
        ("\"quoted key\": 1\n'single': 2\n", #"{"quoted key": 1, "single": 2}"#),
        ("a:\tb\n", #"{"a": "b"}"#),
        ("1: one\nnull: two\ntrue: three\n", #"{"1": "one", "null": "two", "true": "three"}"#),
        ("a: -x\nb: :y\nc: ?z\nd: x:y\ne: [a:b]\n", #"{"a": "-x", "b": ":y", "c": "?z", "d": "x:y", "e": ["a:b"]}"#),
        ("a: []\nb: {}\nc: ''\nd: \"\"\n", #"{"a": [], "b": {}, "c": "", "d": ""}"#),
        ("a: {b}\n", #"{"a": {"b": null}}"#),
        ("a: {b: , c: 1}\n", #"{"a": {"b": null, "c": 1}}"#),
        ("a: x -y\nb: x - y\n", #"{"a": "x -y", "b": "x - y"}"#),
        ("a: ünïcödé\n", #"{"a": "ünïcödé"}"#),
        ("a:\n  # a comment before the value\n  b: 1\n", #"{"a": {"b": 1}}"#),
        ("a:\n\n\n  b: 1\n", #"{"a": {"b": 1}}"#),
        ("a: 1\n...\n# trailing comment\n", #"{"a": 1}"#),
        ("a: -0\nb: 0\n", #"{"a": 0, "b": 0}"#),
    ]

    @Test(arguments: pairs.indices)
    func matchesTheEquivalentJSON(index: Int) throws {
        let (yaml, json) = Self.pairs[index]
        let parsed = try YAMLParser().parse(yaml)
        let expected = try JSONValue.parse(json)
        #expect(equivalent(parsed, expected), "\(yaml.debugDescription) gave \(parsed)")
    }

    @Test func pemKeyInABlockScalar() throws {
        let pem = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n"
        let indented = pem.split(separator: "\n").map { "      " + $0 }.joined(separator: "\n")
        let value = try YAMLParser().parse("zitadel:\n  - private_key: |\n\(indented)\n    system_user: q\n")
        #expect(value["zitadel"]?[0]?["private_key"] == .string(pem))
        #expect(value["zitadel"]?[0]?["system_user"] == "q")
    }

    @Test func numbersKeepTheirWrittenText() throws {
        let document = try YAMLParser().parseDocument(Array("a: 0123\nb: 42\nc: [7]\n".utf8))
        #expect(document.sourceMap.plainNumberText(at: "a") == "0123")
        #expect(document.sourceMap.plainNumberText(at: "b") == "42")
        #expect(document.sourceMap.plainNumberText(at: "c[0]") == "7")
        #expect(document.value["a"] == 123)
    }

    @Test func locationsOfFields() throws {
        let document = try YAMLParser().parseDocument(Array("a:\n  b: 1\n  list:\n    - x\n    - {k: v}\n\"odd key\": 2\n".utf8))
        #expect(document.sourceMap.location(of: "a.b") == ConfigSourceLocation(line: 2, column: 3))
        #expect(document.sourceMap.location(of: "a.list[1]") == ConfigSourceLocation(line: 5, column: 5))
        #expect(document.sourceMap.location(of: "a.list[1].k") == ConfigSourceLocation(line: 5, column: 8))
        #expect(document.sourceMap.location(of: #"["odd key"]"#) == ConfigSourceLocation(line: 6, column: 1))
        // An absent field is reported at its nearest written ancestor.
        #expect(document.sourceMap.location(of: "a.missing") == ConfigSourceLocation(line: 1, column: 1))
        #expect(document.sourceMap.location(of: "nothing") == nil)
    }
}
