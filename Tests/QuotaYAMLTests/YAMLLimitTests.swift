import Foundation
import QuotaConfig
import Testing
@testable import QuotaYAML

/// Bounds on what a document can make the parser do, and input that
/// must be refused rather than trap.
@Suite struct YAMLLimitTests {
    @Test func nestingDepthIsBounded() {
        let flow = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(throws: YAMLParseError(line: 1, column: 65, message: "nesting is deeper than the limit of 64")) {
            _ = try YAMLParser().parse(flow)
        }
        var block = ""
        for level in 0..<70 { block += String(repeating: " ", count: level) + "k:\n" }
        block += String(repeating: " ", count: 70) + "v\n"
        #expect(throws: YAMLParseError(line: 65, column: 65, message: "nesting is deeper than the limit of 64")) {
            _ = try YAMLParser().parse(block)
        }
        let sequences = String(repeating: "- ", count: 70) + "x\n"
        #expect(throws: YAMLParseError(line: 1, column: 129, message: "nesting is deeper than the limit of 64")) {
            _ = try YAMLParser().parse(sequences)
        }
        let within = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect((try? YAMLParser().parse(within)) != nil)
    }

    @Test func documentSizeIsBounded() {
        let parser = YAMLParser(maxBytes: 16)
        #expect(throws: YAMLParseError(line: 1, column: 1, message: "the document is larger than 16 bytes")) {
            _ = try parser.parse("a: 0123456789abcdef\n")
        }
        #expect(YAMLParser.defaultMaxBytes == ConfigEnvironment.maxFileSize)
    }

    /// Long inputs of each kind: these finish only if the work is linear
    /// (a quadratic parser would need hours for them).
    @Test func longInputsParse() throws {
        let count = 100_000
        let flow = "a: [" + Array(repeating: "1", count: count).joined(separator: ",") + "]\n"
        #expect(try YAMLParser().parse(flow)["a"]?.arrayValue?.count == count)
        let keys = (0..<count).map { "k\($0): v" }.joined(separator: "\n")
        #expect(try YAMLParser().parse(keys).objectValue?.count == count)
        let longKey = String(repeating: "k", count: 20_000)
        let deepLongKeys = (0..<60).map { String(repeating: " ", count: $0) + longKey + "\($0):" }.joined(separator: "\n")
            + "\n" + String(repeating: " ", count: 60) + "[" + Array(repeating: "1", count: count).joined(separator: ",") + "]\n"
        let document = try YAMLParser().parseDocument(Array(deepLongKeys.utf8))
        #expect(document.sourceMap.location(of: "\(longKey)0") == ConfigSourceLocation(line: 1, column: 1))
        let plain = "a: " + Array(repeating: "word", count: count).joined(separator: "\n  ") + "\n"
        #expect(try YAMLParser().parse(plain)["a"]?.stringValue?.count == count * 5 - 1)
        let literal = "a: |\n" + String(repeating: "  line\n", count: count)
        #expect(try YAMLParser().parse(literal)["a"]?.stringValue?.count == count * 5)
        let blanks = "a:" + String(repeating: "\n", count: count) + "  b: 1\n"
        #expect(try YAMLParser().parse(blanks)["a"]?["b"] == 1)
        let unterminated = "a: [" + String(repeating: "[1, ", count: 60)
        #expect(throws: YAMLParseError.self) { _ = try YAMLParser().parse(unterminated) }
    }

    /// Every prefix and many one-byte changes of a document with every
    /// construct: each either parses or throws, and never traps.
    /// `YAML_MUTATIONS=1000000` runs a longer search.
    @Test func mutatedDocumentsNeverTrap() {
        let seed = Array("""
            # comment
            ---
            a: {x: [1, 'two', "th\\u00e9"], y: ~}
            b:
              - |+
                lit
              - >-
                fold
                ed
              - k: "multi
                 line"
                l: plain
                 more
            c: [a, {b: c}, 0x1F, .5, -1e3]
            ...

            """.utf8)
        let alphabet = Array(" \t\n\r-?:,[]{}#&*!|>'\"%@`\\.0x~".utf8) + [0xC3, 0xFF, 0x00]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(truncatingIfNeeded: state >> 33)
        }
        for end in 0...seed.count {
            _ = try? YAMLParser().parse(Array(seed[..<end]))
        }
        for _ in 0..<(Int(ProcessInfo.processInfo.environment["YAML_MUTATIONS"] ?? "") ?? 3000) {
            var bytes = seed
            for _ in 0..<(1 + next() % 3) {
                let position = next() % bytes.count
                switch next() % 3 {
                case 0: bytes[position] = alphabet[next() % alphabet.count]
                case 1: bytes.insert(alphabet[next() % alphabet.count], at: position)
                default: bytes.remove(at: position)
                }
            }
            _ = try? YAMLParser().parse(bytes)
        }
    }
}
