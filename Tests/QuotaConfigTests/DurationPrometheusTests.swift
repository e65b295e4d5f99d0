import Testing
@testable import QuotaConfig

@Suite struct DurationPrometheusTests {
    static let valid: [(String, Duration)] = [
        ("0", .zero),
        ("0s", .zero),
        ("90s", .seconds(90)),
        ("5m", .seconds(300)),
        ("1h30m", .seconds(5400)),
        ("500ms", .milliseconds(500)),
        ("1d", .seconds(86_400)),
        ("2w", .seconds(14 * 86_400)),
        ("1y", .seconds(365 * 86_400)),
        ("1h1m1s1ms", .milliseconds(3_661_001)),
        ("1m500ms", .milliseconds(60_500)),
    ]

    @Test(arguments: valid)
    func parses(text: String, expected: Duration) {
        #expect(Duration(prometheus: text) == expected)
    }

    @Test(arguments: ["", "5", "-5s", "+5s", "1.5h", "5 m", " 5m", "5M", "5x", "1s1h", "1m1m", "1ms1s", "s", "5mss",
                      "99999999999999999999s", "300000000y"])
    func rejects(text: String) {
        #expect(Duration(prometheus: text) == nil)
    }

    @Test(arguments: [
        (Duration.zero, "0s"), (.milliseconds(500), "500ms"), (.seconds(5400), "1h30m"),
        (.seconds(86_400 * 8), "1w1d"), (.milliseconds(61_001), "1m1s1ms"),
    ])
    func formatsAndParsesBack(duration: Duration, text: String) {
        #expect(duration.prometheusText == text)
        #expect(Duration(prometheus: text) == duration)
    }

    @Test func formattingDropsSubMilliseconds() {
        #expect(Duration.microseconds(1500).prometheusText == "1ms")
        #expect(Duration.microseconds(1).prometheusText == "0s")
    }
}

/// Huge durations are a config error saying "too large", never a trap
/// further on (nanoseconds of a sleep, a backoff product).
@Suite struct DurationLimitTests {
    @Test(arguments: ["99999999999999999999y", "99999999999999999999s", "101y", "100y1ms", "5300w", "36501d",
                      "9223372036854775807ms", "1000000000000y1s"])
    func tooLarge(text: String) {
        #expect(Duration.parsePrometheus(text) == .tooLarge)
        #expect(Duration(prometheus: text) == nil)
    }

    @Test func theMaximumItselfIsAccepted() {
        #expect(Duration.parsePrometheus("100y") == .valid(.seconds(100 * 365 * 86_400)))
        #expect(Duration.parsePrometheus("99y52w1d") == .valid(.seconds((99 * 365 + 365) * 86_400)))
    }

    /// Grammar errors win over size: a malformed huge value is "invalid".
    @Test(arguments: ["99999999999999999999", "99999999999999999999y1y", "99999999999999999999x", "1y99999999999999999999"])
    func malformedStaysInvalid(text: String) {
        #expect(Duration.parsePrometheus(text) == .invalid)
    }

    @Test func configErrorSaysTooLargeWithoutQuotingTheValue() throws {
        let object = try ConfigObject.parse(Array(#"{"timeout": "99999999999999999999y", "other": "5 minutes"}"#.utf8))
        #expect(throws: ConfigError(path: "timeout", message: "duration \"999999999999\"… (21 characters) is too large (at most 100y)")) {
            try object.required("timeout", .duration)
        }
        #expect(throws: ConfigError(path: "other", message: #"invalid duration "5 minutes" (expected a duration string such as "30s", "5m" or "1h30m"; units: ms, s, m, h, d, w, y)"#)) {
            try object.required("other", .duration)
        }
    }
}
