import QuotaCrypto
import Testing

@Suite("SHA-256 (FIPS 180-4)")
struct SHA256Tests {
    /// NIST's published examples (csrc.nist.gov SHA256.pdf, SHA256_2.pdf and
    /// the FIPS 180-2 long-message vector).
    @Test("NIST vectors", arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
    ])
    func nistVector(message: String, expected: String) {
        #expect(hex(SHA256.hash(message.utf8)) == expected)
    }

    @Test("one million 'a' characters")
    func oneMillionA() {
        let message = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(hex(SHA256.hash(message)) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test("one million 'a' fed in uneven pieces")
    func oneMillionAIncremental() {
        var hasher = SHA256()
        var remaining = 1_000_000
        var pieceSize = 1
        while remaining > 0 {
            let size = min(pieceSize, remaining)
            hasher.update([UInt8](repeating: UInt8(ascii: "a"), count: size))
            remaining -= size
            pieceSize = pieceSize * 7 % 1000 + 1
        }
        #expect(hex(hasher.finalize()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test("incremental hashing split at every position equals one-shot")
    func splitAtEveryPosition() {
        // 130 bytes spans more than two blocks, so splits land before, on and
        // after block boundaries.
        let message = (0..<130).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        let expected = SHA256.hash(message)
        for split in 0...message.count {
            var hasher = SHA256()
            hasher.update(message[..<split])
            hasher.update(message[split...])
            #expect(hasher.finalize() == expected, "split at \(split)")
        }
    }

    @Test("non-contiguous sequences hash like arrays")
    func nonContiguousSequence() {
        let message = Array("The quick brown fox jumps over the lazy dog".utf8)
        #expect(SHA256.hash(message.lazy.map { $0 }) == SHA256.hash(message))
        #expect(hex(SHA256.hash(message)) == "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592")
    }
}
