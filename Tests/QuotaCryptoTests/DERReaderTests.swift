@testable import QuotaCrypto
import Testing

@Suite("DER reader (X.690)")
struct DERReaderTests {
    @Test func readsNestedElements() throws {
        // SEQUENCE { INTEGER 0x0100, OID 1.2.840.113549.1.1.1, NULL,
        //             OCTET STRING "ab", BIT STRING 00 ff }
        let der = bytes(hex: """
            30 19 02 02 01 00 06 09 2a 86 48 86 f7 0d 01 01 01 05 00
            04 02 61 62 03 02 00 ff
            """)
        var outer = DERReader(der)
        var sequence = try outer.readSequence()
        #expect(try sequence.readInteger() == BigUInt(256))
        #expect(try sequence.readObjectIdentifier() == "1.2.840.113549.1.1.1")
        try sequence.readNull()
        #expect(try sequence.readOctetString() == Array("ab".utf8))
        #expect(try sequence.readBitString() == [0xff])
        try sequence.expectEnd("test")
        try outer.expectEnd("test")
    }

    @Test func readsLongFormLength() throws {
        let content = [UInt8](repeating: 0x41, count: 300)
        var reader = DERReader([0x04, 0x82, 0x01, 0x2c] + content)
        #expect(try reader.readOctetString() == content)
        #expect(reader.isAtEnd)
    }

    @Test func oidWithLargeFirstArcAndMultiByteArcs() throws {
        var reader = DERReader(bytes(hex: "06 03 88 37 01")) // 2.999.1
        #expect(try reader.readObjectIdentifier() == "2.999.1")
    }

    @Test(arguments: [
        ("30 05 02 01 00", "SEQUENCE length 5 runs past the end"),
        ("30 84 ff ff ff ff 00", "SEQUENCE length 4294967295 runs past the end"),
        ("30 80 02 01 00 00 00", "indefinite length"),
        ("30 85 00 00 00 00 01 00", "length uses 5 bytes"),
        ("30 82 01", "data ends inside a length"),
        ("30", "data ends inside a length"),
        ("", "data ends where a SEQUENCE was expected"),
        ("04 00", "expected SEQUENCE, found tag 0x04"),
        ("1f 01 00", "expected SEQUENCE, found tag 0x1f"),
    ])
    func rejectsBrokenFraming(derHex: String, messageFragment: String) {
        var reader = DERReader(bytes(hex: derHex))
        let error = #expect(throws: KeyDecodingError.self) { _ = try reader.readSequence() }
        #expect(error?.description.contains(messageFragment) == true, "\(String(describing: error))")
    }

    @Test func rejectsBadIntegersAndStrings() {
        var negative = DERReader(bytes(hex: "02 01 80"))
        #expect(throws: KeyDecodingError.malformedDER("INTEGER is negative", offset: 0)) { try negative.readInteger() }
        var empty = DERReader(bytes(hex: "02 00"))
        #expect(throws: KeyDecodingError.self) { try empty.readInteger() }
        var partialBits = DERReader(bytes(hex: "03 02 04 f0"))
        #expect(throws: KeyDecodingError.self) { try partialBits.readBitString() }
        var truncatedOID = DERReader(bytes(hex: "06 02 2a 86"))
        #expect(throws: KeyDecodingError.self) { try truncatedOID.readObjectIdentifier() }
        var nonEmptyNull = DERReader(bytes(hex: "05 01 00"))
        #expect(throws: KeyDecodingError.self) { try nonEmptyNull.readNull() }
    }

    @Test func sequenceReaderCannotReadPastItsEnd() throws {
        // SEQUENCE { INTEGER 1 } followed by INTEGER 2 outside the sequence.
        var outer = DERReader(bytes(hex: "30 03 02 01 01 02 01 02"))
        var sequence = try outer.readSequence()
        #expect(try sequence.readInteger() == BigUInt(1))
        #expect(throws: KeyDecodingError.self) { try sequence.readInteger() }
        #expect(try outer.readInteger() == BigUInt(2))
    }
}
