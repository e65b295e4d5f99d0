import QuotaConfig
import Testing
@testable import QuotaYAML

/// Invalid documents, each with the exact line, column and message.
@Suite struct YAMLErrorTests {
    static let cases: [(yaml: String, error: String)] = [
        ("a: 1\nb: 2\na: 3\n", #"line 3, column 1: duplicate key "a""#),
        ("a: {x: 1, x: 2}\n", #"line 1, column 11: duplicate key "x""#),
        ("a: &anchor 1\n", "line 1, column 4: anchors ('&') are not supported; write the value out"),
        ("a: *alias\n", "line 1, column 4: aliases ('*') are not supported; write the value out"),
        ("a: !!str 1\n", "line 1, column 4: tags ('!') are not supported; quote the value to make it a string"),
        ("a:\n  <<: {b: 1}\n", "line 2, column 3: merge keys ('<<') are not supported; write the keys out"),
        ("? a\n: b\n", "line 1, column 1: complex keys ('? ') are not supported; write the key before ':'"),
        ("%YAML 1.2\n---\na: 1\n", "line 1, column 1: directives (%YAML, %TAG) are not supported"),
        ("a: 1\n---\nb: 2\n", "line 2, column 1: only one document is allowed, found a second '---'"),
        ("a: 1\n...\nb: 2\n", "line 3, column 1: only one document is allowed, found more after '...'"),
        ("a:\n\tb: 1\n", "line 2, column 1: tabs are not allowed in indentation; indent with spaces"),
        ("a:\n  b: 1\n \tc: 2\n", "line 3, column 2: tabs are not allowed in indentation; indent with spaces"),
        ("a: b: c\n", "line 1, column 4: a nested mapping must start on a new line (quote a value that contains ': ')"),
        ("a: - b\n", "line 1, column 4: a block sequence cannot start on the same line as its key; start it on the next line"),
        ("a:\n  b: 1\n    c: 2\n", "line 3, column 6: unexpected ':': a nested mapping must start on a new line, and a value containing ': ' must be quoted"),
        ("a:\n    b: 1\n  c: 2\n", "line 3, column 3: unexpected indentation: expected a key at column 1 or less"),
        ("a: 1\n- b\n", "line 2, column 1: a sequence entry is not allowed here: expected a key at this indentation"),
        ("a: [1, 2\n", "line 1, column 4: unterminated flow collection"),
        ("a: [\"a\" b]\n", "line 1, column 9: unexpected 'b', expected ',' or ']'"),
        ("a: {b: 1]\n", "line 1, column 9: unexpected ']', expected ',' or '}'"),
        ("a: [b: 1]\n", "line 1, column 6: a key: value pair inside a flow sequence is not supported; write it as {key: value}"),
        ("a: \"open\n", "line 1, column 4: unterminated string"),
        ("a: 'open\n  more\n", "line 1, column 4: unterminated string"),
        ("a: \"bad \\q\"\n", #"line 1, column 9: invalid escape sequence \q"#),
        ("a: \"\\uD800\"\n", "line 1, column 5: escape sequence is not a Unicode scalar (a lone surrogate or beyond U+10FFFF)"),
        ("a: \"\\x4\"\n", "line 1, column 8: expected 2 hexadecimal digits in the escape sequence"),
        ("a: \"x\" y\n", "line 1, column 8: unexpected 'y' after the value"),
        ("a: 'x'#c\n", "line 1, column 7: a comment needs a space before '#'"),
        ("a: .inf\n", "line 1, column 4: infinity and NaN are not supported; quote the value if it is meant as a string"),
        ("a: 0x10000000000000000\n", "line 1, column 4: the number does not fit in 64 bits; quote it if it is meant as a string"),
        ("a: @x\n", "line 1, column 4: '@' is reserved in YAML and cannot start a plain value; quote it"),
        ("a: %x\n", "line 1, column 4: '%' cannot start a plain value; quote it"),
        (": x\n", "line 1, column 1: a key must not be empty"),
        ("", "line 1, column 1: the document is empty"),
        ("# only a comment\n", "line 2, column 1: the document is empty"),
        ("---\n", "line 1, column 1: the document is empty"),
        ("a: 1\rb: 2\n", "line 1, column 5: a carriage return must be followed by a line feed"),
        ("a: \u{01}\n", "line 1, column 4: control character U+0001 is not allowed (escape it in a double-quoted string)"),
        ("a: |\n  x\nb: >0\n", "line 3, column 5: the indentation indicator must be 1 to 9"),
        ("a: |x\n", "line 1, column 5: unexpected 'x' after the block scalar indicator"),
        ("a: |\n\n    x\n  y\n", "line 4, column 3: unexpected indentation: expected a key at column 1 or less"),
        ("a: |\n     \n  x\n", "line 2, column 6: an empty line at the start of a block scalar has more spaces than its first line"),
        ("a:\n  b: [1,\n  2]\n", "line 3, column 3: a continued line of a flow collection must be indented more than its key (column 3)"),
        ("a:\n  b: \"x\n  y\"\n", "line 3, column 3: a continued line of a quoted string must be indented more than its key (column 3)"),
        ("[a]: 1\n", "line 1, column 4: a flow collection cannot be a key"),
        ("a: [|]\n", "line 1, column 5: block scalars ('|', '>') are not allowed inside a flow collection"),
        ("a: [1,,2]\n", "line 1, column 7: unexpected ',', expected a value"),
        ("- a\nb: 1\n", "line 2, column 1: unexpected content: it is indented less than the document's first line, or more than its key"),
    ]

    @Test(arguments: cases.indices)
    func namesLineAndColumn(index: Int) {
        let (yaml, expected) = Self.cases[index]
        #expect(throws: YAMLParseError.self, "\(yaml.debugDescription)") { _ = try YAMLParser().parse(yaml) }
        do {
            _ = try YAMLParser().parse(yaml)
        } catch {
            #expect(error.description == expected, "\(yaml.debugDescription)")
        }
    }

    @Test func invalidUTF8IsRefused() {
        #expect(throws: YAMLParseError(line: 1, column: 4, message: "invalid UTF-8")) {
            _ = try YAMLParser().parse([UInt8]("a: ".utf8) + [0xC3, 0x28, 0x0A])
        }
    }

    @Test func messagesNeverQuoteValues() {
        for document in ["a: \"secret-token-value \\q\"\n", "a: secret-token-value: x\n", "a: 'secret-token-value\n"] {
            do {
                _ = try YAMLParser().parse(document)
                Issue.record("accepted \(document)")
            } catch {
                #expect(!error.description.contains("secret"), "\(error)")
            }
        }
    }
}
