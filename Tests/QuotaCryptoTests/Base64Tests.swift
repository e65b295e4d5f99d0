import Foundation
import Testing
@testable import QuotaCrypto

/// The own base64 against Foundation's on every length around the padding
/// boundaries, and its refusals.
struct Base64Tests {
    @Test func matchesFoundationOnEveryShortLength() {
        for length in 0...70 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            let expected = Data(bytes).base64EncodedString()
            #expect(Base64.encode(bytes) == expected)
            #expect(Base64.decode(expected) == bytes)
            #expect(Base64URL.decode(Base64URL.encode(bytes)) == bytes)
        }
    }

    @Test func refusesMalformedText() {
        #expect(Base64.decode("QUJD=") == nil)
        #expect(Base64.decode("QU=D") == nil)
        #expect(Base64.decode("QUJ*") == nil)
        #expect(Base64.decode("QQ") == nil)
        #expect(Base64.decode("QQ==") == [0x41])
        #expect(Base64URL.decode("QQ==") == nil)
        #expect(Base64URL.decode("a") == nil)
        #expect(Base64URL.decode("-_8") == [0xFB, 0xFF])
    }
}
