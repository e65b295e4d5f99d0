import LoopbackSupport
import QuotaHTTP
import Testing

@Suite struct GzipBodyTests {
    @Test func partsCompressedApartMakeOneMemberPythonReads() async throws {
        var generator = SystemRandomNumberGenerator()
        let noise = (0..<70_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let text = Array(String(repeating: "quota_limit{provider=\"static\",account=\"a\"} 1\n", count: 3000).utf8)
        let pieces: [[UInt8]] = [text, [], Array("x".utf8), noise, text]
        let parts = try pieces.map { try #require(GzipPart.compress($0, level: GzipPart.cachedLevel)) }
        let body = GzipBody.chunks(parts).flatMap { $0 }
        #expect(try await pythonGunzip(body) == pieces.flatMap { $0 })
        #expect(body.count < text.count, "text compresses")
    }

    @Test func emptyBodyIsAValidMember() async throws {
        #expect(try await pythonGunzip(GzipBody.chunks([]).flatMap { $0 }).isEmpty)
    }

    @Test func joinedChunksAreOnePart() async throws {
        let part = try #require(GzipPart.compress([Array("a".utf8), Array("bc".utf8)], level: GzipPart.freshLevel))
        #expect(part.count == 3)
        #expect(try await pythonGunzip(GzipBody.chunks([part]).flatMap { $0 }) == Array("abc".utf8))
    }
}
