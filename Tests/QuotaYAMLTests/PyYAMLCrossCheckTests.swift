import Foundation
import LoopbackSupport
import QuotaConfig
import Testing
@testable import QuotaYAML

/// The same documents through Python's PyYAML (an independent
/// implementation). PyYAML reads YAML 1.1, so these avoid the scalars
/// where 1.1 and 1.2 differ (`yes`/`on`, `0o10`, `1e3` without a dot,
/// `010`, sexagesimals, `=`), which `YAMLParserTests` covers on its own.
@Suite struct PyYAMLCrossCheckTests {
    static let valid: [String] = [
        "a: 1\nb: [x, y]\nc: {d: e}\n",
        "global:\n  min_interval: 60s\n  max_staleness: 10m\n  timeout: 30s\n  max_concurrency: 4\n",
        "static:\n  - account: acme\n    labels:\n      team: platform\n    quotas:\n      - {quota: seats, unit: seats, limit: 250, usage: 231, enforced: true}\n",
        "list:\n- a\n- b\n-\n- - nested\n  - more\n",
        "a: plain\n  continued\n\n  after an empty line\nb: x\n",
        "a: 'single ''quoted''\n  folded'\nb: \"double\\t\\\"esc\\\" \\u00e9 \\x41\"\n",
        "a: \"line\\\n   joined\"\nb: \"with\n\n\n  breaks\"\n",
        "lit: |\n  one\n    two\n\n  three\nstrip: |-\n  s\n\nkeep: |+\n  k\n\n\nfold: >\n  f1\n  f2\n\n  f3\n    more\n  f4\nlast: 1\n",
        "a: >-\n  x\n  y\nb: >+\n  z\n\n",
        "seq: [1, 2.5, -3, \"4\", '5', null, true, ~]\n",
        "m: {a: 1, b: [x, {c: d}], 'e f': g}\n",
        "a: [\n    one,\n    two\n  ]\nb: {\n    k: v,\n    l: w\n  }\n",
        "url: https://example.com:443/path?q=1#frag\nnot_comment: a#b\nemail: a@b.c\n",
        "---\na: 1\n...\n",
        "a: ünïcödé 😀\n\"ключ\": значение\n",
        "a:\n  - b: 1\n    c: 2\n  - d: 3\n",
        "x: 1.5\ny: -0.25\nz: 6.02e+23\nw: 0x1F\n",
        "empty_flow: []\nempty_map: {}\nempty_str: ''\nnull_value:\n",
        "pem: |\n  -----BEGIN PRIVATE KEY-----\n  MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n  -----END PRIVATE KEY-----\n",
        "key with spaces: value with spaces   \n",
        "a: b # comment\n# full line\nc: d\n",
        "a: \"\\/\\\\\\0\\a\\b\\e\\f\\n\\r\\v\\N\\_\\L\\P\\ \"\n",
        "indicators: -a ?b :c\nflow: [-a, b]\n",
        "a: |2\n    indented\n  base\n",
        "top:\n    deep:\n        deeper: x\n    back: y\n",
        "--- |\n  just a block\n",
        "a: |+\n  x\n\n",
        "a: >\n  x\n\n  \n  y\n",
        "a: |\n  x\n  # not a comment\n",
        "a: >-\n\n  leading blank\n",
        "- a\n  b\n- c\n",
        "a: 'multi\n\n  line'\n",
        "a:\n  - b\n  -\n  - c\n",
        "key: value\n\n\n",
        "{a: 1, b: [2, 3]}\n",
        "a: \"\\\n  b\"\n",
        "a: [a b, c  d]\n",
        "a: {x: y z, 'q': \"r\"}\n",
        "a: b\n#c\nd: e\n",
        "a: |1\n  x\n",
        "a: >\n  one\n   more\n  two\n",
        "a: |-\n  tail\n\n\nb: 1\n",
        "a:\r\n  b: c\r\n  d: |\r\n    e\r\n",
        "a: \"x\\ty\"  # comment\n",
        "seq:\n- [a, b]\n- {c: d}\n-   e\n",
    ]

    static let invalid: [String] = [
        "a: 1\na: 2\n",
        "a: b: c\n",
        "a:\n  b: 1\n c: 2\n",
        "a: [1, 2\n",
        "a: \"unterminated\n",
        "- a\nb: 1\n",
        "a:\n\t- b\n",
        "a: \"\\q\"\n",
    ]

    @Test func validDocumentsMatchPyYAML() async throws {
        let results = try await Self.pyyaml(Self.valid)
        for (document, result) in zip(Self.valid, results) {
            let expected = try #require(result, "PyYAML refused \(document.debugDescription)")
            let parsed: JSONValue
            do {
                parsed = try YAMLParser().parse(document)
            } catch {
                Issue.record("refused \(document.debugDescription): \(error)")
                continue
            }
            #expect(equivalent(parsed, try JSONValue.parse(expected)), "\(document.debugDescription): \(parsed) vs \(expected)")
        }
    }

    @Test func invalidDocumentsAreRefusedByBoth() async throws {
        let results = try await Self.pyyaml(Self.invalid)
        for (document, result) in zip(Self.invalid, results) {
            // PyYAML lets duplicate keys through (the last wins); YAML 1.2 forbids them.
            if !document.hasPrefix("a: 1\na: 2") { #expect(result == nil, "PyYAML accepted \(document.debugDescription)") }
            #expect(throws: YAMLParseError.self, "\(document.debugDescription)") { try YAMLParser().parse(document) }
        }
    }

    /// Each document's value as JSON, or nil where PyYAML raised.
    static func pyyaml(_ documents: [String]) async throws -> [String?] {
        let script = """
            import json, sys, yaml
            out = []
            for doc in json.load(sys.stdin):
                try:
                    out.append(json.dumps(yaml.safe_load(doc), ensure_ascii=False))
                except yaml.YAMLError:
                    out.append(None)
            json.dump(out, sys.stdout)
            """
        let input = try JSONSerialization.data(withJSONObject: documents)
        let python = try await ChildCommand(["python3", "-c", script], stdin: .bytes(Array(input)), niceness: ChildCommand.toolNiceness).run()
        try #require(python.status == 0, "python3 with PyYAML is needed (pip install pyyaml): \(python.stderrText)")
        let decoded = try #require(try JSONSerialization.jsonObject(with: Data(python.stdout)) as? [Any])
        return decoded.map { $0 as? String }
    }
}
