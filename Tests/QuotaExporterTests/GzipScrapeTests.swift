import LoopbackSupport
import QuotaHTTP
@testable import QuotaExporter
import Testing

/// Lines that do not change between two scrapes (the process metrics do).
private func stableLines(_ text: String) -> [Substring] {
    text.split(separator: "\n").filter { !$0.hasPrefix("process_") }
}

@Suite struct GzipScrapeTests {
    /// A live run is compressed when first seen; once it changes (the
    /// process metrics do at every scrape), it is stored while shorter than
    /// `storedBelow` and compressed again when longer. All read back.
    @Test func changedShortLiveRunsAreStoredOthersCompressed() async throws {
        let runs = LiveGzipRuns()
        func lines(_ count: Int, value: Int) -> [[UInt8]] {
            (0..<count).map { Array("quota_exporter_zitadel_notifications_total{instance=\"i\($0)\"} \(value)\n".utf8) }
        }
        let lineBytes = lines(1, value: 1)[0].count
        let short = (LiveGzipRuns.storedBelow - 100) / lineBytes
        let long = LiveGzipRuns.storedBelow / lineBytes + 10
        var parts: [GzipPart] = []
        var expected: [UInt8] = []
        func take(run: Int, _ chunks: [[UInt8]]) throws -> GzipPart {
            let part = try #require(runs.part(run: run, format: .text, of: chunks))
            parts.append(part)
            expected += chunks.flatMap { $0 }
            return part
        }
        let firstShort = try take(run: 0, lines(short, value: 1))
        let firstLong = try take(run: 1, lines(long, value: 1))
        #expect(firstShort.deflated.count < firstShort.count / 2, "a run seen for the first time is compressed")
        #expect(firstLong.deflated.count < firstLong.count / 2)
        let before = runs.compressionCount
        let keptShort = try take(run: 0, lines(short, value: 1))
        #expect(runs.compressionCount == before && keptShort.deflated == firstShort.deflated, "unchanged: the kept part")
        let changedShort = try take(run: 0, lines(short, value: 2))
        let changedLong = try take(run: 1, lines(long, value: 2))
        #expect(changedShort.count < LiveGzipRuns.storedBelow && changedShort.deflated.count > changedShort.count, "stored")
        #expect(changedLong.count >= LiveGzipRuns.storedBelow && changedLong.deflated.count < changedLong.count / 2, "compressed")
        #expect(try await pythonGunzip(GzipBody.chunks(parts).flatMap { $0 }) == expected)
    }

    @Test(arguments: [nil, "application/openmetrics-text;version=1.0.0"])
    func gzipWhenAskedAndTheSameExposition(accept: String?) async throws {
        let runtime = try makeRuntime(staticConfig)
        var headers: HTTPHeaders = accept.map { ["Accept": $0] } ?? [:]
        let plain = await get(runtime.handler, "/metrics", headers: headers)
        headers.add("Accept-Encoding", "gzip")
        let gzip = await get(runtime.handler, "/metrics", headers: headers)
        #expect(gzip.headers["Content-Encoding"] == "gzip")
        #expect(gzip.headers["Vary"] == "Accept-Encoding")
        #expect(gzip.headers["Content-Type"] == plain.headers["Content-Type"])
        #expect(gzip.body.prefix(2) == [0x1F, 0x8B])
        let text = String(decoding: try await pythonGunzip(gzip.body), as: UTF8.self)
        #expect(stableLines(text) == stableLines(plain.text))
        #expect(text.contains("process_cpu_seconds_total"))
        if accept != nil {
            #expect(text.hasSuffix("# EOF\n"))
        }
    }

    @Test func identityWhenNotAsked() async throws {
        let runtime = try makeRuntime(staticConfig)
        for headers: HTTPHeaders in [[:], ["Accept-Encoding": "identity"], ["Accept-Encoding": "gzip;q=0"], ["Accept-Encoding": "br"]] {
            let response = await get(runtime.handler, "/metrics", headers: headers)
            #expect(response.headers["Content-Encoding"] == nil)
            #expect(response.headers["Vary"] == "Accept-Encoding", "a cache must key on Accept-Encoding either way")
            #expect(response.text.hasPrefix("# HELP "))
        }
    }

    @Test func aCachedGzipScrapeDoesNotRecompressTheCachedFamilies() async throws {
        let runtime = try makeRuntime(staticConfig)
        let headers: HTTPHeaders = ["Accept-Encoding": "gzip"]
        let first = await get(runtime.handler, "/metrics", headers: headers)
        let compressed = runtime.renderer.compressionCount
        #expect(compressed > 0)
        let second = await get(runtime.handler, "/metrics", headers: headers)
        #expect(runtime.renderer.compressionCount == compressed, "served from the kept compressed families")
        // The cached parts are the same buffers in both bodies.
        let firstBuffers = Set(first.bodyParts.map { $0.withUnsafeBytes { UInt(bitPattern: $0.baseAddress) } })
        let shared = second.bodyParts.filter { firstBuffers.contains($0.withUnsafeBytes { UInt(bitPattern: $0.baseAddress) }) }
        #expect(shared.count >= 2)
        // Live runs whose bytes did not change (build info, reload metrics) are
        // not compressed again either; the process metrics may have changed.
        let runs = runtime.liveRuns.compressionCount
        _ = await get(runtime.handler, "/metrics", headers: headers)
        #expect(runtime.liveRuns.compressionCount - runs <= 1)
        #expect(runs >= 2)
        let text = String(decoding: try await pythonGunzip(second.body), as: UTF8.self)
        #expect(stableLines(text) == stableLines(String(decoding: try await pythonGunzip(first.body), as: UTF8.self)))
    }
}
