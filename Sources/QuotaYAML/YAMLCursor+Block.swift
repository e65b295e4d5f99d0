import QuotaConfig

extension YAMLCursor {
    /// What introduced a value, which decides what may start on its line.
    enum Introducer {
        case mappingValue
        case sequenceEntry
        case documentStart
    }

    /// The value after `key:`, `-` or `---`, on the same line or on the
    /// following, more indented ones; null when there is none.
    mutating func parseValue(parent: Int, after introducer: Introducer) throws(YAMLParseError) -> Parsed {
        let valueStart = offset
        skipInlineSpace()
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "#"), offset == valueStart, introducer != .documentStart {
            throw error("a comment needs a space before '#'")
        }
        if !isAtEndOfLine(offset), bytes[offset] != UInt8(ascii: "#") {
            return try parseNode(parent: parent, column: column, allowsBlockCollection: introducer == .sequenceEntry)
        }
        let savedOffset = offset
        let savedLineStart = lineStart
        if case .content(let indent) = try nextContentLine(atLineStart: false) {
            if indent > parent {
                return try parseNode(parent: parent, column: indent, allowsBlockCollection: true)
            }
            if indent == parent, introducer == .mappingValue, isSequenceEntry() {
                return try parseBlockSequence(indent: indent)
            }
        }
        offset = savedOffset
        lineStart = savedLineStart
        return (.null, ConfigSourceNode(offset: valueStart))
    }

    /// The node starting at the cursor, at `column` of its line.
    mutating func parseNode(parent: Int, column: Int, allowsBlockCollection: Bool) throws(YAMLParseError) -> Parsed {
        guard let byte = peek() else { throw error("unexpected end of input, expected a value") }
        switch byte {
        case UInt8(ascii: "&"), UInt8(ascii: "*"), UInt8(ascii: "!"):
            throw refusedProperty(byte)
        case UInt8(ascii: "?") where isSpaceOrEnd(offset + 1):
            throw error("complex keys ('? ') are not supported; write the key before ':'")
        case UInt8(ascii: "-") where isSpaceOrEnd(offset + 1):
            guard allowsBlockCollection else {
                throw error("a block sequence cannot start on the same line as its key; start it on the next line")
            }
            return try parseBlockSequence(indent: column)
        case UInt8(ascii: "|"), UInt8(ascii: ">"):
            return try parseBlockScalar(parent: parent)
        case UInt8(ascii: "["), UInt8(ascii: "{"):
            let parsed = try parseFlowCollection(parent: parent)
            let end = offset
            skipInlineSpace()
            if peek() == UInt8(ascii: ":") { throw error("a flow collection cannot be a key") }
            offset = end
            return parsed
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            let start = offset
            let startLine = lineStart
            let text = try parseQuoted(parent: parent)
            let end = offset
            if lineStart == startLine {
                skipInlineSpace()
                if peek() == UInt8(ascii: ":"), isSpaceOrEnd(offset + 1) {
                    guard allowsBlockCollection else { throw nestedMappingOnSameLine() }
                    offset = start
                    return try parseBlockMapping(indent: column)
                }
            }
            offset = end
            return (.string(text), ConfigSourceNode(offset: start))
        default:
            try checkPlainStart(inFlow: false)
            if lineHasImplicitKey() {
                guard allowsBlockCollection else { throw nestedMappingOnSameLine() }
                return try parseBlockMapping(indent: column)
            }
            return try parsePlainValue(parent: parent, inFlow: false)
        }
    }

    /// A block mapping whose keys are at `indent`; the cursor is at the first key.
    mutating func parseBlockMapping(indent: Int) throws(YAMLParseError) -> Parsed {
        try enterNesting()
        let start = offset
        var members: [(key: String, value: JSONValue)] = []
        var nodes: [String: ConfigSourceNode] = [:]
        while true {
            let keyOffset = offset
            let key = try parseBlockKey()
            skipInlineSpace()
            guard peek() == UInt8(ascii: ":"), isSpaceOrEnd(offset + 1) else {
                throw error("expected ':' after the key")
            }
            offset += 1
            var value = try parseValue(parent: indent, after: .mappingValue)
            guard nodes[key] == nil else { throw error("duplicate key \(QuotedValue.quote(key))", at: keyOffset) }
            value.node.offset = keyOffset
            nodes[key] = value.node
            members.append((key: key, value: value.value))
            let savedOffset = offset
            let savedLineStart = lineStart
            guard case .content(let next) = try nextContentLine(atLineStart: false) else {
                offset = savedOffset
                lineStart = savedLineStart
                break
            }
            if next > indent { throw error("unexpected indentation: expected a key at column \(indent + 1) or less") }
            if next < indent {
                offset = savedOffset
                lineStart = savedLineStart
                break
            }
            if isSequenceEntry() { throw error("a sequence entry is not allowed here: expected a key at this indentation") }
        }
        depth -= 1
        return (.object(JSONObject(members)), ConfigSourceNode(offset: start, members: nodes))
    }

    /// A block sequence whose `-` are at `indent`; the cursor is at the first `-`.
    mutating func parseBlockSequence(indent: Int) throws(YAMLParseError) -> Parsed {
        try enterNesting()
        let start = offset
        var values: [JSONValue] = []
        var nodes: [ConfigSourceNode] = []
        while true {
            let entryOffset = offset
            offset += 1  // -
            var value = try parseValue(parent: indent, after: .sequenceEntry)
            value.node.offset = entryOffset
            values.append(value.value)
            nodes.append(value.node)
            let savedOffset = offset
            let savedLineStart = lineStart
            if case .content(let next) = try nextContentLine(atLineStart: false) {
                if next == indent, isSequenceEntry() { continue }
                if next > indent { throw error("unexpected indentation: expected '- ' at column \(indent + 1) or less") }
            }
            offset = savedOffset
            lineStart = savedLineStart
            break
        }
        depth -= 1
        return (.array(values), ConfigSourceNode(offset: start, elements: nodes))
    }

    /// A key of a block mapping: a single-line quoted or plain scalar, taken as text.
    private mutating func parseBlockKey() throws(YAMLParseError) -> String {
        guard let byte = peek() else { throw error("unexpected end of input, expected a key") }
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            let startLine = lineStart
            let text = try parseQuoted(parent: -1)
            guard lineStart == startLine else { throw error("a key must be on one line") }
            return text
        case UInt8(ascii: "&"), UInt8(ascii: "*"), UInt8(ascii: "!"):
            throw refusedProperty(byte)
        case UInt8(ascii: "?") where isSpaceOrEnd(offset + 1):
            throw error("complex keys ('? ') are not supported; write the key before ':'")
        case UInt8(ascii: "-") where isSpaceOrEnd(offset + 1):
            throw error("a sequence entry is not allowed here: expected a key at this indentation")
        default:
            try checkPlainStart(inFlow: false)
            let start = offset
            var end = offset
            while offset < bytes.count, !isLineBreak(offset) {
                let current = bytes[offset]
                if current == UInt8(ascii: ":"), isSpaceOrEnd(offset + 1) { break }
                if current == UInt8(ascii: "#"), offset > start, bytes[offset - 1] == UInt8(ascii: " ") || bytes[offset - 1] == UInt8(ascii: "\t") {
                    break
                }
                offset += 1
                if current != UInt8(ascii: " "), current != UInt8(ascii: "\t") { end = offset }
            }
            let key = Array(bytes[start..<end])
            if key == Array("<<".utf8) { throw error("merge keys ('<<') are not supported; write the keys out", at: start) }
            offset = end
            return String(decoding: key, as: UTF8.self)
        }
    }

    /// Whether the plain scalar starting at the cursor is a key: a ':'
    /// followed by a space or the line's end comes before a comment or the end.
    func lineHasImplicitKey() -> Bool {
        var index = offset
        while index < bytes.count, !isLineBreak(index) {
            let byte = bytes[index]
            if byte == UInt8(ascii: ":"), isSpaceOrEnd(index + 1) { return true }
            if byte == UInt8(ascii: "#"), index > offset, bytes[index - 1] == UInt8(ascii: " ") || bytes[index - 1] == UInt8(ascii: "\t") {
                return false
            }
            index += 1
        }
        return false
    }

    func isSequenceEntry() -> Bool {
        peek() == UInt8(ascii: "-") && isSpaceOrEnd(offset + 1)
    }

    func refusedProperty(_ byte: UInt8) -> YAMLParseError {
        switch byte {
        case UInt8(ascii: "&"): error("anchors ('&') are not supported; write the value out")
        case UInt8(ascii: "*"): error("aliases ('*') are not supported; write the value out")
        default: error("tags ('!') are not supported; quote the value to make it a string")
        }
    }

    func nestedMappingOnSameLine() -> YAMLParseError {
        error("a nested mapping must start on a new line (quote a value that contains ': ')")
    }

    /// Refuses indicators that cannot start a plain scalar.
    func checkPlainStart(inFlow: Bool) throws(YAMLParseError) {
        guard let byte = peek() else { throw error("unexpected end of input, expected a value") }
        switch byte {
        case UInt8(ascii: "@"), UInt8(ascii: "`"):
            throw error("\(describeCurrent()) is reserved in YAML and cannot start a plain value; quote it")
        case UInt8(ascii: "%"):
            throw error("'%' cannot start a plain value; quote it")
        case UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}"):
            throw error("unexpected \(describeCurrent()), expected a value")
        case UInt8(ascii: ":"), UInt8(ascii: "?"), UInt8(ascii: "-"):
            let next = offset + 1
            if isSpaceOrEnd(next) || (inFlow && Self.isFlowIndicator(bytes[next])) {
                if byte == UInt8(ascii: ":") { throw error("a key must not be empty") }
                throw error("unexpected \(describeCurrent()), expected a value")
            }
        case UInt8(ascii: "#"):
            throw error("unexpected '#', expected a value")
        default:
            break
        }
    }

    static func isFlowIndicator(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: ",") || byte == UInt8(ascii: "[") || byte == UInt8(ascii: "]") || byte == UInt8(ascii: "{") || byte == UInt8(ascii: "}")
    }
}
