/// Strict UTF-8 validation of a whole document, so scalars can be decoded
/// without replacement characters silently changing a value.
enum UTF8Check {
    static func isValid(_ bytes: [UInt8]) -> Bool {
        firstInvalidOffset(bytes) == bytes.count
    }

    /// The offset of the first byte that starts an invalid sequence, or
    /// `bytes.count` when all is valid.
    static func firstInvalidOffset(_ bytes: [UInt8]) -> Int {
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            let length: Int
            var minimum: UInt32
            var scalar: UInt32
            switch byte {
            case 0x00..<0x80: index += 1; continue
            case 0xC2..<0xE0: length = 2; minimum = 0x80; scalar = UInt32(byte & 0x1F)
            case 0xE0..<0xF0: length = 3; minimum = 0x800; scalar = UInt32(byte & 0x0F)
            case 0xF0..<0xF5: length = 4; minimum = 0x10000; scalar = UInt32(byte & 0x07)
            default: return index
            }
            guard index + length <= bytes.count else { return index }
            for continuation in bytes[(index + 1)..<(index + length)] {
                guard continuation & 0xC0 == 0x80 else { return index }
                scalar = scalar << 6 | UInt32(continuation & 0x3F)
            }
            guard scalar >= minimum, scalar <= 0x10FFFF, !(0xD800...0xDFFF).contains(scalar) else { return index }
            index += length
        }
        return index
    }
}
