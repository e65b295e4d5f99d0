/// Base64 (RFC 4648 §4 and §5) in both alphabets, written here because the
/// standard library has none and Foundation's brings ICU into the binary.
public enum Base64 {
    static let standardAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    static let urlAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// Encodes with the standard alphabet and `=` padding.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        encode(Array(bytes), alphabet: standardAlphabet, padding: true)
    }

    /// Decodes padded standard base64; `nil` on any other character, a
    /// length that is not a multiple of four, or padding anywhere but the end.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        var units = Array(text.utf8)
        guard units.count % 4 == 0 else { return nil }
        var padding = 0
        while padding < 2, units.last == UInt8(ascii: "=") {
            units.removeLast()
            padding += 1
        }
        return decode(units, alphabet: standardAlphabet)
    }

    static func encode(_ bytes: [UInt8], alphabet: [UInt8], padding: Bool) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= bytes.count {
            let value = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            out.append(alphabet[Int(value >> 18 & 63)])
            out.append(alphabet[Int(value >> 12 & 63)])
            out.append(alphabet[Int(value >> 6 & 63)])
            out.append(alphabet[Int(value & 63)])
            index += 3
        }
        let remaining = bytes.count - index
        if remaining > 0 {
            var value = UInt32(bytes[index]) << 16
            if remaining == 2 { value |= UInt32(bytes[index + 1]) << 8 }
            out.append(alphabet[Int(value >> 18 & 63)])
            out.append(alphabet[Int(value >> 12 & 63)])
            if remaining == 2 { out.append(alphabet[Int(value >> 6 & 63)]) }
            if padding { out.append(contentsOf: Array(repeating: UInt8(ascii: "="), count: 3 - remaining)) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes unpadded base64 in `alphabet`; `nil` on a foreign character
    /// or a length that leaves a single character over.
    static func decode(_ units: [UInt8], alphabet: [UInt8]) -> [UInt8]? {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, unit) in alphabet.enumerated() { table[Int(unit)] = UInt8(value) }
        guard units.count % 4 != 1 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(units.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for unit in units {
            let value = table[Int(unit)]
            guard value != 0xFF else { return nil }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        return out
    }
}
