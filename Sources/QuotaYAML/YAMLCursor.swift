import QuotaConfig

/// The work of `YAMLParser`: a byte position, the start of its line, and
/// one method per construct. Every node parser leaves the cursor at the
/// end of the node's last text, never past the line break after it, so
/// the caller decides what the next line belongs to. Line and column are
/// computed only for errors.
struct YAMLCursor {
    typealias Parsed = (value: JSONValue, node: ConfigSourceNode)

    let bytes: [UInt8]
    let maxDepth: Int
    var offset = 0
    var lineStart = 0
    var depth = 0

    init(bytes: [UInt8], maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    /// What follows the current line: the first character of the next
    /// line with content (cursor there), or the end of the document.
    enum NextLine: Equatable {
        case content(indent: Int)
        case end
    }

    mutating func parseDocument() throws(YAMLParseError) -> Parsed {
        try checkCharacters()
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            offset = 3
            lineStart = 3
        }
        var root: Parsed
        switch try nextContentLine(atLineStart: true) {
        case .content(let indent):
            root = try parseNode(parent: -1, column: indent, allowsBlockCollection: true)
        case .end:
            guard isMarker("---") else { throw error("the document is empty") }
            let start = offset
            offset += 3
            root = try parseValue(parent: -1, after: .documentStart)
            if root.value == .null { throw error("the document is empty", at: start) }
        }
        switch try nextContentLine(atLineStart: false) {
        case .content:
            throw error("unexpected content: it is indented less than the document's first line, or more than its key")
        case .end:
            if isMarker("---") { throw error("only one document is allowed, found a second '---'") }
            if isMarker("...") {
                offset += 3
                guard try nextContentLine(atLineStart: false) == .end, offset == bytes.count else {
                    throw error("only one document is allowed, found more after '...'")
                }
            }
        }
        return root
    }

    /// Refuses control characters and a lone carriage return up front, so
    /// the rest of the parser only meets printable text, tabs and line breaks.
    private func checkCharacters() throws(YAMLParseError) {
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\r"):
                guard index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\n") else {
                    throw error("a carriage return must be followed by a line feed", at: index)
                }
            case 0x00..<0x09, 0x0B, 0x0C, 0x0E..<0x20, 0x7F:
                throw error("control character U+\(Self.hex4(UInt32(byte))) is not allowed (escape it in a double-quoted string)", at: index)
            default:
                break
            }
            index += 1
        }
        guard UTF8Check.isValid(bytes) else {
            let bad = UTF8Check.firstInvalidOffset(bytes)
            throw error("invalid UTF-8", at: bad)
        }
    }

    // MARK: Lines

    /// Moves to the first character of the next line with content. From
    /// the middle of a line, only spaces and a comment may remain on it.
    mutating func nextContentLine(atLineStart: Bool) throws(YAMLParseError) -> NextLine {
        if !atLineStart {
            try finishLine()
        }
        while true {
            guard offset < bytes.count else { return .end }
            if isMarker("---") || isMarker("...") { return .end }
            if bytes[offset] == UInt8(ascii: "%"), offset == lineStart {
                throw error("directives (%YAML, %TAG) are not supported")
            }
            var index = offset
            while index < bytes.count, bytes[index] == UInt8(ascii: " ") { index += 1 }
            let indent = index - offset
            var content = index
            while content < bytes.count, bytes[content] == UInt8(ascii: " ") || bytes[content] == UInt8(ascii: "\t") { content += 1 }
            if content == bytes.count || isLineBreak(content) {
                offset = content
                consumeLineBreak()
                continue
            }
            if content != index {
                throw error("tabs are not allowed in indentation; indent with spaces", at: index)
            }
            offset = content
            if bytes[content] == UInt8(ascii: "#") {
                skipToEndOfLine()
                consumeLineBreak()
                continue
            }
            return .content(indent: indent)
        }
    }

    /// Skips spaces and a comment to the end of the line, then its line break.
    mutating func finishLine() throws(YAMLParseError) {
        skipInlineSpace()
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "#") {
            guard offset == lineStart || bytes[offset - 1] == UInt8(ascii: " ") || bytes[offset - 1] == UInt8(ascii: "\t") else {
                throw error("a comment needs a space before '#'")
            }
            skipToEndOfLine()
        }
        guard offset == bytes.count || isLineBreak(offset) else {
            if bytes[offset] == UInt8(ascii: ":") {
                throw error("unexpected ':': a nested mapping must start on a new line, and a value containing ': ' must be quoted")
            }
            throw error("unexpected \(describeCurrent()) after the value")
        }
        consumeLineBreak()
    }

    mutating func skipInlineSpace() {
        while offset < bytes.count, bytes[offset] == UInt8(ascii: " ") || bytes[offset] == UInt8(ascii: "\t") { offset += 1 }
    }

    mutating func skipToEndOfLine() {
        while offset < bytes.count, !isLineBreak(offset) { offset += 1 }
    }

    mutating func consumeLineBreak() {
        guard offset < bytes.count else { return }
        if bytes[offset] == UInt8(ascii: "\r") { offset += 1 }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "\n") { offset += 1 }
        lineStart = offset
    }

    func isLineBreak(_ index: Int) -> Bool {
        bytes[index] == UInt8(ascii: "\n") || bytes[index] == UInt8(ascii: "\r")
    }

    func isAtEndOfLine(_ index: Int) -> Bool {
        index >= bytes.count || isLineBreak(index)
    }

    /// `---` or `...` at the start of a line, followed by a space or the line's end.
    func isMarker(_ marker: String) -> Bool {
        guard offset == lineStart, offset + 3 <= bytes.count else { return false }
        let expected = Array(marker.utf8)
        guard bytes[offset] == expected[0], bytes[offset + 1] == expected[1], bytes[offset + 2] == expected[2] else { return false }
        return isSpaceOrEnd(offset + 3)
    }

    /// A space, tab, line break or the end of the input at `index`.
    func isSpaceOrEnd(_ index: Int) -> Bool {
        index >= bytes.count || bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t") || isLineBreak(index)
    }

    func peek(_ ahead: Int = 0) -> UInt8? {
        offset + ahead < bytes.count ? bytes[offset + ahead] : nil
    }

    var column: Int {
        offset - lineStart
    }

    mutating func enterNesting() throws(YAMLParseError) {
        depth += 1
        if depth > maxDepth { throw error("nesting is deeper than the limit of \(maxDepth)") }
    }

    // MARK: Errors

    func error(_ message: String, at position: Int? = nil) -> YAMLParseError {
        YAMLParseError(message: message, offset: position ?? offset, in: bytes)
    }

    /// `'x'` for printable ASCII, `U+00E9` for other text, `end of input` at the end.
    func describeCurrent() -> String {
        guard let byte = peek() else { return "end of input" }
        if byte >= 0x21 && byte < 0x7F { return "'\(UnicodeScalar(byte))'" }
        if isLineBreak(offset) { return "line break" }
        if byte < 0x80 { return "character U+\(Self.hex4(UInt32(byte)))" }
        var iterator = bytes[offset...].makeIterator()
        var decoder = UTF8()
        if case .scalarValue(let scalar) = decoder.decode(&iterator) {
            return "character U+\(Self.hex4(scalar.value))"
        }
        return "invalid UTF-8"
    }

    static func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// A key for a message: quoted short and printable, as field values are.
    static func quote(_ key: [UInt8]) -> String {
        QuotedValue.quote(String(decoding: key, as: UTF8.self))
    }
}
