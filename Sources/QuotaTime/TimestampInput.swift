/// A cursor over the bytes of a timestamp being parsed. Both grammars are
/// ASCII-only, so working on UTF-8 bytes is exact and keeps every step O(1).
struct TimestampInput {
    let bytes: [UInt8]
    private(set) var offset = 0

    init(_ text: some StringProtocol) {
        bytes = Array(text.utf8)
    }

    var isAtEnd: Bool { offset == bytes.count }

    var next: UInt8? { offset < bytes.count ? bytes[offset] : nil }

    func error(_ reason: String) -> TimestampError {
        TimestampError(reason, in: self)
    }

    /// Exactly `count` ASCII digits as a number; `count` is small (at most 4),
    /// so the value cannot overflow.
    mutating func digits(_ count: Int, _ what: String) throws(TimestampError) -> Int {
        var value = 0
        for _ in 0..<count {
            guard let byte = next, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else {
                throw error("expected \(count) digits for the \(what) at offset \(offset)")
            }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
            offset += 1
        }
        return value
    }

    mutating func expect(_ byte: UInt8, _ what: String) throws(TimestampError) {
        guard next == byte else { throw error("expected \(what) at offset \(offset)") }
        offset += 1
    }

    /// Consumes `byte` if it is next.
    mutating func skip(_ byte: UInt8) -> Bool {
        guard next == byte else { return false }
        offset += 1
        return true
    }

    /// Consumes `word` if the input continues with exactly these bytes.
    mutating func skip(word: String) -> Bool {
        let expected = Array(word.utf8)
        guard bytes.count - offset >= expected.count, Array(bytes[offset..<offset + expected.count]) == expected else {
            return false
        }
        offset += expected.count
        return true
    }

    /// The index in `words` of the word the input continues with.
    mutating func oneOf(_ words: [String], _ what: String) throws(TimestampError) -> Int {
        for (index, word) in words.enumerated() where skip(word: word) {
            return index
        }
        throw error("expected \(what) at offset \(offset)")
    }

    /// At most `quotedPrefixLength` characters, printable ASCII kept and
    /// everything else (control bytes, any non-ASCII byte) shown as `?`.
    static func quote(_ bytes: [UInt8]) -> String {
        let limit = TimestampError.quotedPrefixLength
        var text = "\""
        for byte in bytes.prefix(limit) {
            text.unicodeScalars.append(byte >= 0x20 && byte < 0x7F ? Unicode.Scalar(byte) : "?")
        }
        text += bytes.count > limit ? "\"…" : "\""
        return text
    }
}
