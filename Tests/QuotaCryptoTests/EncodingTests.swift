import QuotaCrypto
import Testing

@Suite("hex, base64url and constant-time comparison")
struct EncodingTests {
    @Test func hexIsLowercaseTwoDigitsPerByte() {
        #expect(hex([0x00, 0x0f, 0xa0, 0xff]) == "000fa0ff")
        #expect(hex([]) == "")
    }

    /// RFC 4648 §10 vectors, translated to the URL alphabet without padding.
    @Test(arguments: [
        ("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"),
        ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"), ("foobar", "Zm9vYmFy"),
    ])
    func base64URLVectors(plain: String, encoded: String) {
        #expect(Base64URL.encode(plain.utf8) == encoded)
        #expect(Base64URL.decode(encoded) == Array(plain.utf8))
    }

    @Test func base64URLUsesDashAndUnderscore() {
        #expect(Base64URL.encode([0xfb, 0xff, 0xbf]) == "-_-_")
        #expect(Base64URL.decode("-_-_") == [0xfb, 0xff, 0xbf])
    }

    @Test func base64URLRoundTripsEveryLength() {
        for length in 0..<70 {
            let data = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 73 &+ 5) }
            #expect(Base64URL.decode(Base64URL.encode(data)) == data, "length \(length)")
        }
    }

    @Test(arguments: ["Zg==", "+/+/", "Zm9v Yg", "Z", "Zm9vY", "Zm9v\n"])
    func base64URLRejects(text: String) {
        #expect(Base64URL.decode(text) == nil)
    }

    @Test func constantTimeEqualsComparesContentAndLength() {
        #expect(constantTimeEquals([], []))
        #expect(constantTimeEquals([1, 2, 3], [1, 2, 3]))
        #expect(!constantTimeEquals([1, 2, 3], [1, 2, 4]))
        #expect(!constantTimeEquals([0, 2, 3], [1, 2, 3]))
        #expect(!constantTimeEquals([1, 2, 3], [1, 2]))
    }
}
