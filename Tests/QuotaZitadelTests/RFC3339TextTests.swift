import Testing
@testable import QuotaZitadel

/// The `from` sent to ZITADEL: RFC 3339 in UTC, milliseconds only when set.
@Suite struct RFC3339TextTests {
    @Test(arguments: [
        (1_767_225_600.0, "2026-01-01T00:00:00Z"),
        (1_767_225_600.5, "2026-01-01T00:00:00.500Z"),
        (1_767_225_600.0005, "2026-01-01T00:00:00.001Z"),
        (1_767_225_600.9996, "2026-01-01T00:00:01.000Z"),
        (-0.25, "1969-12-31T23:59:59.750Z"),
    ])
    func format(seconds: Double, text: String) {
        #expect(RFC3339Text.format(seconds) == text)
    }
}
