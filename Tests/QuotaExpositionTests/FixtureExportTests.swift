import Foundation
import Testing
import QuotaExposition

/// Writes real renderings for CI to feed to external parsers
/// (`scripts/check_exposition.py`, `promtool check metrics`); a no-op unless
/// `QUOTA_EXPORTER_FIXTURE_DIR` names the directory to write to.
@Suite("Fixture export")
struct FixtureExportTests {
    static let directory = ProcessInfo.processInfo.environment["QUOTA_EXPORTER_FIXTURE_DIR"]

    /// Runs always: a fixture the writer had to trim would test less than it
    /// claims to.
    @Test func fixtureIsFullyValid() {
        for format in [ExpositionFormat.text, .openMetrics] {
            let rendering = ExpositionWriter().render(ExpositionFixture.families, format: format)
            #expect(rendering.problems.isEmpty, "\(rendering.problems)")
            #expect(!rendering.bytes.isEmpty)
        }
    }

    @Test(.enabled(if: directory != nil, "set QUOTA_EXPORTER_FIXTURE_DIR to write fixtures"))
    func writeFixtures() throws {
        let directory = URL(fileURLWithPath: try #require(Self.directory), isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let files: [(String, ExpositionFormat)] = [("fixture.prom", .text), ("fixture.om.txt", .openMetrics)]
        for (name, format) in files {
            let bytes = ExpositionWriter().render(ExpositionFixture.families, format: format).bytes
            let url = directory.appendingPathComponent(name)
            try Data(bytes).write(to: url)
            #expect(try Data(contentsOf: url) == Data(bytes))
        }
    }
}
