import QuotaConfig

extension YAMLCursor {
    /// A single- or double-quoted scalar starting at its quote. Line breaks
    /// fold as in plain scalars; continuation lines must be indented more
    /// than `parent`.
    mutating func parseQuoted(parent: Int) throws(YAMLParseError) -> String {
        let start = offset
        let quote = bytes[offset]
        let isDouble = quote == UInt8(ascii: "\"")
        offset += 1
        var text: [UInt8] = []
        var kept = 0  // text up to here survives a line break; the rest is trailing space
        while true {
            guard offset < bytes.count else { throw error("unterminated string", at: start) }
            let byte = bytes[offset]
            if byte == quote {
                if !isDouble, peek(1) == UInt8(ascii: "'") {
                    text.append(byte)
                    offset += 2
                    kept = text.count
                    continue
                }
                offset += 1
                break
            }
            if isDouble, byte == UInt8(ascii: "\\") {
                if isAtEndOfLine(offset + 1) {
                    // An escaped line break joins the lines with nothing between them.
                    // White space before the backslash is content (YAML 1.2, example 7.5).
                    offset += 1
                    let breaks = try foldLineBreak(start: start, parent: parent)
                    text += repeatElement(UInt8(ascii: "\n"), count: max(0, breaks - 1))
                    kept = text.count
                    continue
                }
                try appendEscape(to: &text)
                kept = text.count
                continue
            }
            if isLineBreak(offset) {
                text.removeLast(text.count - kept)
                let breaks = try foldLineBreak(start: start, parent: parent)
                if breaks == 1 {
                    text.append(UInt8(ascii: " "))
                } else {
                    text += repeatElement(UInt8(ascii: "\n"), count: breaks - 1)
                }
                kept = text.count
                continue
            }
            text.append(byte)
            offset += 1
            if byte != UInt8(ascii: " "), byte != UInt8(ascii: "\t") { kept = text.count }
        }
        // The document was checked as UTF-8 and escapes encode valid scalars.
        return String(decoding: text, as: UTF8.self)
    }

    /// Consumes the line break at the cursor, any empty lines after it and
    /// the next line's leading white space; returns the number of breaks.
    private mutating func foldLineBreak(start: Int, parent: Int) throws(YAMLParseError) -> Int {
        guard offset < bytes.count else { throw error("unterminated string", at: start) }
        var breaks = 0
        while offset < bytes.count, isLineBreak(offset) {
            consumeLineBreak()
            breaks += 1
            if isMarker("---") || isMarker("...") { throw error("unterminated string (a document marker inside it)", at: start) }
            var spaces = offset
            while spaces < bytes.count, bytes[spaces] == UInt8(ascii: " ") { spaces += 1 }
            skipInlineSpace()
            guard offset < bytes.count else { throw error("unterminated string", at: start) }
            if !isLineBreak(offset), spaces - lineStart <= parent {
                throw error("a continued line of a quoted string must be indented more than its key (column \(parent + 1))")
            }
        }
        return breaks
    }

    /// One escape sequence after a backslash, as YAML 1.2 defines them;
    /// `\uD83D\uDE00` surrogate pairs are joined as JSON does.
    private mutating func appendEscape(to text: inout [UInt8]) throws(YAMLParseError) {
        let start = offset
        offset += 1
        guard let byte = peek() else { throw error("unterminated string") }
        offset += 1
        let scalar: Unicode.Scalar
        switch byte {
        case UInt8(ascii: "0"): scalar = "\u{00}"
        case UInt8(ascii: "a"): scalar = "\u{07}"
        case UInt8(ascii: "b"): scalar = "\u{08}"
        case UInt8(ascii: "t"), UInt8(ascii: "\t"): scalar = "\t"
        case UInt8(ascii: "n"): scalar = "\n"
        case UInt8(ascii: "v"): scalar = "\u{0B}"
        case UInt8(ascii: "f"): scalar = "\u{0C}"
        case UInt8(ascii: "r"): scalar = "\r"
        case UInt8(ascii: "e"): scalar = "\u{1B}"
        case UInt8(ascii: " "): scalar = " "
        case UInt8(ascii: "\""): scalar = "\""
        case UInt8(ascii: "/"): scalar = "/"
        case UInt8(ascii: "\\"): scalar = "\\"
        case UInt8(ascii: "N"): scalar = "\u{85}"
        case UInt8(ascii: "_"): scalar = "\u{A0}"
        case UInt8(ascii: "L"): scalar = "\u{2028}"
        case UInt8(ascii: "P"): scalar = "\u{2029}"
        case UInt8(ascii: "x"): scalar = try hexScalar(digits: 2, escapeStart: start)
        case UInt8(ascii: "u"): scalar = try hexScalar(digits: 4, escapeStart: start)
        case UInt8(ascii: "U"): scalar = try hexScalar(digits: 8, escapeStart: start)
        default:
            let shown = (0x21..<0x7F).contains(byte) ? " \\" + String(UnicodeScalar(byte)) : ""
            throw error("invalid escape sequence\(shown)", at: start)
        }
        UTF8.encode(scalar) { text.append($0) }
    }

    private mutating func hexScalar(digits: Int, escapeStart: Int) throws(YAMLParseError) -> Unicode.Scalar {
        let value = try hexValue(digits: digits)
        if digits == 4, (0xD800...0xDBFF).contains(value), peek() == UInt8(ascii: "\\"), peek(1) == UInt8(ascii: "u") {
            let saved = offset
            offset += 2
            let low = try hexValue(digits: 4)
            if (0xDC00...0xDFFF).contains(low), let joined = Unicode.Scalar(0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)) {
                return joined
            }
            offset = saved
        }
        guard let scalar = Unicode.Scalar(value) else {
            throw error("escape sequence is not a Unicode scalar (a lone surrogate or beyond U+10FFFF)", at: escapeStart)
        }
        return scalar
    }

    private mutating func hexValue(digits: Int) throws(YAMLParseError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<digits {
            guard let byte = peek(), let digit = Self.hexDigit(byte) else {
                throw error("expected \(digits) hexadecimal digits in the escape sequence")
            }
            value = value << 4 | digit
            offset += 1
        }
        return value
    }

    private static func hexDigit(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A")) + 10
        default: nil
        }
    }
}
