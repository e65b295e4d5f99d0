import Foundation
import LoopbackSupport
import QuotaConfig
import Testing
@testable import QuotaYAML

/// Documents written by PyYAML's emitter, in every style it has (block,
/// flow, each quoting style, folded at several widths and indentations),
/// from random values with awkward strings: the parser must read each
/// back to the value PyYAML reads. The seed is fixed, so a failure repeats.
@Suite struct PyYAMLEmitterRoundTripTests {
    static let generator = #"""
import json, random, sys, yaml
rnd = random.Random(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
WORDS = ["alpha", "beta", "x", "hello world", "a:b", "a #b", "- x", "key: value", "it's", 'say "hi"', "tab\there",
         "line1\nline2", "trailing ", " leading", "ünï", "😀", "", "yes", "no", "on", "null", "~", "true", "0x10", "007", "1.5",
         "#hash", "&amp", "*star", "!bang", "%pct", "@at", "`tick", "[x]", "{y}", "a,b", "?q", ":c", "\\back", "multi\n\nbreaks\n", "end\n"]
STRINGS_ONLY = [False]
def scalar():
    k = rnd.random()
    if STRINGS_ONLY[0]: k = k * 0.5
    if k < 0.5: return rnd.choice(WORDS) + (rnd.choice(WORDS) if rnd.random() < 0.3 else "")
    if k < 0.65: return rnd.randint(-10**6, 10**6)
    if k < 0.72: return rnd.choice([True, False, None])
    if k < 0.8: return rnd.choice([0.5, -2.25, 1000.125, 3.0])
    return " ".join(rnd.choice(WORDS[:4]) for _ in range(rnd.randint(5, 30)))
def value(depth):
    k = rnd.random()
    if depth > 4 or k < 0.4: return scalar()
    if k < 0.7: return {str(rnd.choice(WORDS[:11])) + str(i): value(depth + 1) for i in range(rnd.randint(0, 4))}
    return [value(depth + 1) for _ in range(rnd.randint(0, 4))]
out = []
for i in range(int(sys.argv[2]) if len(sys.argv) > 2 else 300):
    style = rnd.choice([None, None, '"', "'", "|", ">"])
    STRINGS_ONLY[0] = style is not None
    obj = {"root%d" % i: value(0), "other": value(1)}
    text = yaml.safe_dump(obj, default_flow_style=rnd.choice([False, None, True]), default_style=style,
                          width=rnd.choice([20, 40, 80, 1000]), indent=rnd.choice([2, 3, 4]), allow_unicode=rnd.random() < 0.5,
                          explicit_start=rnd.random() < 0.3, explicit_end=rnd.random() < 0.2)
    out.append([text, json.dumps(yaml.safe_load(text), ensure_ascii=False)])
json.dump(out, sys.stdout)
"""#

    @Test func readsWhatPyYAMLWrites() async throws {
        let environment = ProcessInfo.processInfo.environment
        let python = try await ChildCommand(
            ["python3", "-c", Self.generator, environment["YAML_SEED"] ?? "7", environment["YAML_COUNT"] ?? "400"], niceness: ChildCommand.toolNiceness
        ).run()
        try #require(python.status == 0, "python3 with PyYAML is needed (pip install pyyaml): \(python.stderrText)")
        let pairs = try #require(try JSONSerialization.jsonObject(with: Data(python.stdout)) as? [[String]])
        #expect(pairs.count > 0)
        for pair in pairs {
            let (document, json) = (pair[0], pair[1])
            do {
                let parsed = try YAMLParser().parse(document)
                #expect(equivalent(parsed, try JSONValue.parse(json)), "\(document.debugDescription) gave \(parsed), PyYAML \(json)")
            } catch {
                Issue.record("refused \(document.debugDescription): \(error)")
            }
        }
    }
}
