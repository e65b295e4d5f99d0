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
