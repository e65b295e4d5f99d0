import CQuotaSystem
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

    /// Stored parts (level 0) hold the bytes as they are, framed, and join
    /// compressed ones in one member; 70 000 bytes need two stored blocks.
    @Test func storedPartsKeepTheirBytesAndJoinCompressedOnes() async throws {
        var generator = SystemRandomNumberGenerator()
        let noise = (0..<70_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let text = Array(String(repeating: "process_open_fds 12\n", count: 50).utf8)
        let stored = try [[], Array("x".utf8), text, noise].map { try #require(GzipPart.compress($0, level: GzipPart.storedLevel)) }
        for part in stored {
            // A stored block costs 5 bytes per 64 KiB, and the sync flush 5 more.
            #expect(part.deflated.count >= part.count && part.deflated.count <= part.count + 5 * (part.count / 65_535 + 2))
        }
        let compressed = try #require(GzipPart.compress(text, level: GzipPart.freshLevel))
        let parts = [stored[2], compressed, stored[0], stored[3], stored[1]]
        #expect(try await pythonGunzip(GzipBody.chunks(parts).flatMap { $0 }) == text + text + noise + Array("x".utf8))
    }

    @Test func emptyBodyIsAValidMember() async throws {
        #expect(try await pythonGunzip(GzipBody.chunks([]).flatMap { $0 }).isEmpty)
    }

    @Test func joinedChunksAreOnePart() async throws {
        let part = try #require(GzipPart.compress([Array("a".utf8), Array("bc".utf8)], level: GzipPart.freshLevel))
        #expect(part.count == 3)
        #expect(try await pythonGunzip(GzipBody.chunks([part]).flatMap { $0 }) == Array("abc".utf8))
    }

    /// The CRC of A then B from the two CRCs, with the operator made once
    /// for B's length, and with op 0 (a zlib older than 1.2.12) by the
    /// slower combine: both equal the CRC of the joined bytes.
    @Test(arguments: [0, 1, 2, 16_383, 16_384, 100_000])
    func combinedCRCsAreTheCRCOfTheJoinedBytes(lengthOfB: Int) {
        var generator = SystemRandomNumberGenerator()
        let a = (0..<777).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let b = (0..<lengthOfB).map { _ in UInt8.random(in: 0...255, using: &generator) }
        func crc(_ bytes: [UInt8]) -> UInt32 { bytes.withUnsafeBufferPointer { cqs_zlib_crc32(0, $0.baseAddress, $0.count) } }
        let joined = crc(a + b)
        let op = cqs_zlib_crc32_combine_gen(UInt64(b.count))
        #expect(op != 0, "the zlib of these machines (1.2.13) has crc32_combine_gen")
        #expect(cqs_zlib_crc32_combine_op(crc(a), crc(b), op, UInt64(b.count)) == joined)
        #expect(cqs_zlib_crc32_combine_op(crc(a), crc(b), 0, UInt64(b.count)) == joined)
        #expect(cqs_zlib_crc32_combine(crc(a), crc(b), UInt64(b.count)) == joined)
    }
}
