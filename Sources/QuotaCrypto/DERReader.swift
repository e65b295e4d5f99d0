/// A forward-only reader over DER (ITU-T X.690) data, limited to the element
/// types found in RSA key files.
///
/// Every length is checked against the bytes actually available before it is
/// used, so truncated or hostile input produces a `malformedDER` error with
/// the byte offset instead of a crash.
struct DERReader {
    private let bytes: [UInt8]
    /// Offset of the next unread byte in `bytes`.
    private(set) var offset: Int
    /// One past the last byte this reader may read (the end of its SEQUENCE).
    private let end: Int

    init(_ bytes: [UInt8]) {
        self.init(bytes: bytes, offset: 0, end: bytes.count)
    }

    private init(bytes: [UInt8], offset: Int, end: Int) {
        self.bytes = bytes
        self.offset = offset
        self.end = end
    }

    var isAtEnd: Bool { offset >= end }

    /// The tag byte of the next element, without consuming it.
    var nextTag: UInt8? { isAtEnd ? nil : bytes[offset] }

    /// Enters a SEQUENCE: returns a reader limited to its contents.
    mutating func readSequence() throws -> DERReader {
        let contents = try readElement(.sequence)
        return DERReader(bytes: bytes, offset: contents.lowerBound, end: contents.upperBound)
    }

    /// Reads a non-negative INTEGER; RSA key numbers are never negative.
    mutating func readInteger() throws -> BigUInt {
        let start = offset
        let contents = try readElement(.integer)
        guard let first = contents.first.map({ bytes[$0] }) else {
            throw KeyDecodingError.malformedDER("INTEGER has no content bytes", offset: start)
        }
        guard first & 0x80 == 0 else {
            throw KeyDecodingError.malformedDER("INTEGER is negative", offset: start)
        }
        return BigUInt(bigEndianBytes: bytes[contents])
    }

    /// Reads an INTEGER that must fit in an `Int`, such as a version number.
    mutating func readSmallInteger() throws -> Int {
        let start = offset
        let value = try readInteger()
        guard value.bitWidth < Int.bitWidth else {
            throw KeyDecodingError.malformedDER("INTEGER is too large for a version number", offset: start)
        }
        return Int(value.limb(0))
    }

    mutating func readOctetString() throws -> [UInt8] {
        Array(bytes[try readElement(.octetString)])
    }

    /// Reads a BIT STRING that holds whole bytes, as key encodings always do.
    mutating func readBitString() throws -> [UInt8] {
        let start = offset
        let contents = try readElement(.bitString)
        guard let unusedBits = contents.first.map({ bytes[$0] }) else {
            throw KeyDecodingError.malformedDER("BIT STRING has no content bytes", offset: start)
        }
        guard unusedBits == 0 else {
            throw KeyDecodingError.malformedDER("BIT STRING has \(unusedBits) unused bits; expected whole bytes", offset: start)
        }
        return Array(bytes[contents.dropFirst()])
    }

    /// Reads an OBJECT IDENTIFIER in dotted form, e.g. "1.2.840.113549.1.1.1".
    mutating func readObjectIdentifier() throws -> String {
        let start = offset
        let contents = try readElement(.objectIdentifier)
        var arcs: [UInt64] = []
        var value: UInt64 = 0
        for index in contents {
            // Base-128 digits, high bit set on all but the last of each arc;
            // 2^63 is far above any real arc, so refuse rather than overflow.
            guard value >> 57 == 0 else {
                throw KeyDecodingError.malformedDER("OBJECT IDENTIFIER arc is too large", offset: start)
            }
            value = value << 7 | UInt64(bytes[index] & 0x7f)
            if bytes[index] & 0x80 == 0 {
                arcs.append(value)
                value = 0
            }
        }
        guard let first = arcs.first, contents.last.map({ bytes[$0] & 0x80 == 0 }) == true else {
            throw KeyDecodingError.malformedDER("OBJECT IDENTIFIER is empty or truncated", offset: start)
        }
        // X.690 §8.19.4: the first encoded arc packs the first two as 40·x + y.
        let leading: [UInt64] = first < 80 ? [first / 40, first % 40] : [2, first - 80]
        return (leading + arcs.dropFirst()).map(String.init).joined(separator: ".")
    }

    mutating func readNull() throws {
        let start = offset
        guard try readElement(.null).isEmpty else {
            throw KeyDecodingError.malformedDER("NULL has content bytes", offset: start)
        }
    }

    /// Fails unless every byte of this reader's range has been consumed.
    func expectEnd(_ context: String) throws {
        guard isAtEnd else {
            throw KeyDecodingError.malformedDER("unexpected data after the end of \(context)", offset: offset)
        }
    }

    /// Reads one tag-length-value element with the `expected` tag and returns
    /// the index range of its contents.
    private mutating func readElement(_ expected: DERTag) throws -> Range<Int> {
        let start = offset
        guard let tag = nextTag else {
            throw KeyDecodingError.malformedDER("data ends where a \(expected.name) was expected", offset: start)
        }
        guard tag == expected.rawValue else {
            let found = "0x" + hex([tag])
            throw KeyDecodingError.malformedDER("expected \(expected.name), found tag \(found)", offset: start)
        }
        offset += 1
        let length = try readLength()
        guard length <= end - offset else {
            throw KeyDecodingError.malformedDER(
                "\(expected.name) length \(length) runs past the end of the data (\(end - offset) bytes left)",
                offset: start
            )
        }
        defer { offset += length }
        return offset..<(offset + length)
    }

    /// Reads a definite length in short form (one byte below 0x80) or long
    /// form (0x80 | n, then n big-endian bytes).
    private mutating func readLength() throws -> Int {
        let start = offset
        guard !isAtEnd else {
            throw KeyDecodingError.malformedDER("data ends inside a length", offset: start)
        }
        let first = bytes[offset]
        offset += 1
        if first < 0x80 { return Int(first) }
        guard first != 0x80 else {
            throw KeyDecodingError.malformedDER("indefinite length is not allowed in DER", offset: start)
        }
        let lengthByteCount = Int(first & 0x7f)
        // Four bytes already allow 4 GiB, far beyond any key file.
        guard lengthByteCount <= 4 else {
            throw KeyDecodingError.malformedDER("length uses \(lengthByteCount) bytes; at most 4 are supported", offset: start)
        }
        guard lengthByteCount <= end - offset else {
            throw KeyDecodingError.malformedDER("data ends inside a length", offset: start)
        }
        var length = 0
        for _ in 0..<lengthByteCount {
            length = length << 8 | Int(bytes[offset])
            offset += 1
        }
        return length
    }
}
