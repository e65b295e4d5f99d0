import Testing

@testable import QuotaConfig

/// A secret typed into a non-secret field must not come back whole in the
/// error, which reaches the log, the `/-/reload` answer and the status page.
@Suite struct QuotedValueTests {
    static let secret = "cf-token-0123456789abcdefghijklmnopqrstuvwxyz"

    @Test func quotesShortValuesWholeAndLongOnesAsAPrefix() {
        #expect(QuotedValue.quote("30sec") == "\"30sec\"")
        #expect(QuotedValue.quote("123456789012") == "\"123456789012\"")
        #expect(QuotedValue.quote("1234567890123") == "\"123456789012\"… (13 characters)")
        #expect(QuotedValue.quote("a\u{1B}[2J\u{0}é\n") == "\"a?[2J???\"")
        #expect(QuotedValue.quote("") == "\"\"")
    }

    static func message(_ json: String, _ read: (ConfigObject) throws(ConfigError) -> Void) -> String {
        do {
            let object = try ConfigObject.parse(Array(json.utf8))
            try read(object)
            try object.finish()
            return "accepted"
        } catch {
            return error.description
        }
    }

    @Test func noConfigErrorQuotesMoreThanAPrefix() {
        let messages = [
            Self.message(#"{"timeout": "\#(Self.secret)"}"#) { object throws(ConfigError) in _ = try object.required("timeout", .duration) },
            Self.message(#"{"level": "\#(Self.secret)"}"#) { object throws(ConfigError) in _ = try object.required("level", .oneOf(["debug", "info"])) },
            Self.message(#"{"\#(Self.secret)": 1}"#) { object throws(ConfigError) in _ = try object.optional("timeout", .duration) },
            Self.message(#"{"\#(Self.secret)": 1, "\#(Self.secret)": 2}"#) { _ throws(ConfigError) in },
            Self.message(#"{"labels": {"\#(Self.secret)-x": "v"}}"#) { object throws(ConfigError) in _ = try object.required("labels", .labels(reserved: [])) },
            Self.message(#"{"n": 1\#(String(repeating: "0", count: 500))}"#) { object throws(ConfigError) in _ = try object.required("n", .int) },
            Self.message(#"{"n": 1\#(String(repeating: "0", count: 500))}"#) { object throws(ConfigError) in _ = try object.required("n", .double) },
        ]
        for message in messages {
            #expect(message != "accepted")
            #expect(!message.contains(Self.secret.prefix(13)), "\(message)")
            #expect(!message.contains("0000000000000"), "\(message)")
        }
        #expect(messages[0] == #"timeout: invalid duration "cf-token-012"… (45 characters) (expected a duration string such as "30s", "5m" or "1h30m"; units: ms, s, m, h, d, w, y)"#)
        #expect(messages[1] == #"level: expected one of "debug", "info", found "cf-token-012"… (45 characters)"#)
        #expect(messages[2] == #"unknown key "cf-token-012"… (45 characters) (allowed: timeout)"#)
        #expect(messages[4] == #"labels: invalid label name "cf-token-012"… (47 characters) (must match [a-zA-Z_][a-zA-Z0-9_]*)"#)
    }

    @Test func flagErrorsQuoteOnlyAPrefix() {
        var flags = FlagSet()
        flags.duration("scrape.timeout", help: "")
        flags.bool("verbose", help: "")
        for arguments in [["--scrape.timeout=\(Self.secret)"], ["--verbose=\(Self.secret)"], [Self.secret]] {
            do {
                _ = try flags.parse(arguments)
                Issue.record("accepted \(arguments)")
            } catch {
                #expect(!error.description.contains(Self.secret.prefix(13)), "\(error)")
            }
        }
    }
}
