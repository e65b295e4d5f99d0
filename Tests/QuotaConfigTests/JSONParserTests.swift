import Testing
@testable import QuotaConfig

@Suite struct JSONParserTests {
    static let validDocuments: [(String, JSONValue)] = [
        ("null", JSONValue.null),
        ("true", .bool(true)),
        (" false ", .bool(false)),
        ("0", .number(JSONNumber(0))),
        ("-0", .number(JSONNumber(literal: "-0")!)),
        ("\"\"", .string("")),
        ("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"", .string("a\"b\\c/d\u{08}\u{0C}\n\r\t")),
        ("\"\\u00e9\\u20AC\"", .string("é€")),
        ("\"\\ud83d\\ude00\"", .string("😀")),
        ("\"😀 é\"", .string("😀 é")),
        ("\"\\u0000\"", .string("\u{0}")),
        ("[]", .array([])),
        ("{}", .object([:])),
        ("[1, [2, []], {\"a\": null}]", [1, [2, []], ["a": .null]]),
        ("{\"b\": 1, \"a\": 2}", ["b": 1, "a": 2]),
        ("\u{FEFF}{}", .object([:])),
        ("\n\t\r {\n}\n", .object([:])),
    ]

    @Test(arguments: validDocuments)
    func parsesValidDocuments(text: String, expected: JSONValue) throws {
        #expect(try JSONValue.parse(text) == expected)
    }

    @Test func keepsObjectKeysInDocumentOrder() throws {
        let value = try JSONValue.parse(#"{"zeta": 1, "alpha": 2, "mid": 3}"#)
        #expect(value.objectValue?.keys == ["zeta", "alpha", "mid"])
    }

    @Test(arguments: [
        "-1", "0.5", "-12.25e+3", "1E-7", "123456789012345678901234567890", "18446744073709551616", "1e400",
    ])
    func keepsNumberLiteralsExactly(literal: String) throws {
        #expect(try JSONValue.parse(literal).numberValue?.literal == literal)
    }

    @Test func bigIntegersStayExact() throws {
        let value = try JSONValue.parse(#"{"max": 18446744073709551615, "min": -9223372036854775808}"#)
        #expect(value["max"]?.uint64Value == UInt64.max)
        #expect(value["min"]?.int64Value == Int64.min)
        #expect(value["max"]?.int64Value == nil)
        #expect(value.serialized() == #"{"max":18446744073709551615,"min":-9223372036854775808}"#)
    }

    @Test func hugeExponentParsesButHasNoDouble() throws {
        let value = try JSONValue.parse("1e400")
        #expect(value.numberValue?.literal == "1e400")
        #expect(value.doubleValue == nil)
        #expect(try JSONValue.parse("1e-400").doubleValue == 0)
    }

    @Test func nestingUpToTheLimitIsAccepted() throws {
        let text = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(throws: Never.self) { try JSONValue.parse(text) }
    }

    @Test func nestingBeyondTheLimitIsRejected() {
        let text = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(throws: JSONParseError(line: 1, column: 65, message: "nesting is deeper than the limit of 64")) {
            try JSONValue.parse(text)
        }
    }

    @Test func customDepthLimit() {
        #expect(throws: JSONParseError(line: 1, column: 8, message: "nesting is deeper than the limit of 2")) {
            try JSONParser(maxDepth: 2).parse(#"{"a": [{}]}"#)
        }
    }

    /// Text, then the expected line, column and message.
    static let invalidDocuments: [(String, Int, Int, String)] = [
        ("", 1, 1, "the document is empty"),
        ("   \n", 2, 1, "the document is empty"),
        ("{\"a\": 1,}", 1, 9, "trailing commas are not allowed"),
        ("[1,]", 1, 4, "trailing commas are not allowed"),
        ("[1 2]", 1, 4, "unexpected '2', expected ',' or ']'"),
        ("{\"a\" 1}", 1, 6, "unexpected '1', expected ':' after the key"),
        ("{\"a\": 1 \"b\": 2}", 1, 9, "unexpected '\"', expected ',' or '}'"),
        ("{a: 1}", 1, 2, "unexpected 'a', expected a string key"),
        ("{\"a\": 1, \"a\": 2}", 1, 10, "duplicate key \"a\""),
        ("{\n  \"x\": {\"k\": 1,\n         \"k\": 2}}", 3, 10, "duplicate key \"k\""),
        ("[1] x", 1, 5, "unexpected 'x' after the end of the document"),
        ("{} {}", 1, 4, "unexpected '{' after the end of the document"),
        ("01", 1, 1, "numbers must not have leading zeros"),
        ("-01", 1, 1, "numbers must not have leading zeros"),
        ("-", 1, 2, "expected a digit after '-'"),
        ("+1", 1, 1, "unexpected '+', expected a value"),
        (".5", 1, 1, "unexpected '.', expected a value"),
        ("1.", 1, 3, "expected a digit after the decimal point"),
        ("1e", 1, 3, "expected a digit in the exponent"),
        ("1e+", 1, 4, "expected a digit in the exponent"),
        ("NaN", 1, 1, "unexpected 'N', expected a value"),
        ("Infinity", 1, 1, "unexpected 'I', expected a value"),
        ("-Infinity", 1, 2, "expected a digit after '-'"),
        ("tru", 1, 1, "unexpected 't', expected a value"),
        ("truex", 1, 5, "unexpected 'x' after true"),
        ("nul", 1, 1, "unexpected 'n', expected a value"),
        ("// comment\n{}", 1, 1, "comments are not allowed in JSON"),
        ("{\"a\": 1 /* c */}", 1, 9, "unexpected '/', expected ',' or '}'"),
        ("['a']", 1, 2, "strings must use double quotes"),
        ("\"abc", 1, 1, "unterminated string"),
        ("\"a\nb\"", 1, 3, "control character U+000A must be escaped in a string"),
        ("\"a\tb\"", 1, 3, "control character U+0009 must be escaped in a string"),
        ("\"\\x\"", 1, 2, "invalid escape sequence \\x"),
        ("\"\\é\"", 1, 2, "invalid escape sequence"),
        ("\"\\u12\"", 1, 6, "\\u must be followed by four hexadecimal digits"),
        ("\"\\ud83d\"", 1, 2, "unpaired surrogate \\uD83D in string"),
        ("\"\\ud83d\\u0041\"", 1, 2, "unpaired surrogate \\uD83D in string"),
        ("\"\\ude00\"", 1, 2, "unpaired surrogate \\uDE00 in string"),
        ("[1,\n 2,\n é]", 3, 2, "unexpected character U+00E9, expected a value"),
        ("[", 1, 2, "unexpected end of input, expected a value"),
        ("{\"a\":", 1, 6, "unexpected end of input, expected a value"),
        ("[1", 1, 3, "unexpected end of input, expected ',' or ']'"),
    ]

    @Test(arguments: invalidDocuments.indices)
    func rejectsInvalidDocuments(index: Int) {
        let (text, line, column, message) = Self.invalidDocuments[index]
        #expect(throws: JSONParseError(line: line, column: column, message: message), "document: \(text)") {
            try JSONValue.parse(text)
        }
    }

    @Test func rejectsInvalidUTF8InsideStrings() {
        let bytes: [UInt8] = [UInt8(ascii: "\""), 0xC3, 0x28, UInt8(ascii: "\"")]
        #expect(throws: JSONParseError(line: 1, column: 1, message: "string is not valid UTF-8")) {
            try JSONValue.parse(bytes)
        }
    }

    @Test func errorDescriptionLeadsWithLineAndColumn() {
        let error = JSONParseError(line: 3, column: 7, message: "duplicate key \"a\"")
        #expect(error.description == "line 3, column 7: duplicate key \"a\"")
    }

    @Test func columnsCountCharactersNotBytes() {
        #expect(throws: JSONParseError(line: 1, column: 6, message: "unexpected 'x', expected ',' or ']'")) {
            try JSONValue.parse("[\"é\" x]")
        }
    }
}
