import QuotaConfig

extension YAMLCursor {
    /// A `[...]` or `{...}` collection starting at its bracket; it may span
    /// lines, each indented more than `parent`.
    mutating func parseFlowCollection(parent: Int) throws(YAMLParseError) -> Parsed {
        try enterNesting()
        let start = offset
        let isMapping = bytes[offset] == UInt8(ascii: "{")
        let close = isMapping ? UInt8(ascii: "}") : UInt8(ascii: "]")
        offset += 1
        var values: [JSONValue] = []
        var elements: [ConfigSourceNode] = []
        var members: [(key: String, value: JSONValue)] = []
        var nodes: [String: ConfigSourceNode] = [:]
        while true {
            try skipFlowSpace(parent: parent)
            guard let byte = peek() else { throw error("unterminated flow collection", at: start) }
            if byte == close {
                offset += 1
                break
            }
            if isMapping {
                let keyOffset = offset
                let key = try parseFlowKey(parent: parent)
                guard nodes[key] == nil else { throw error("duplicate key \(QuotedValue.quote(key))", at: keyOffset) }
                try skipFlowSpace(parent: parent)
                var value: Parsed = (.null, ConfigSourceNode(offset: keyOffset))
                if peek() == UInt8(ascii: ":") {
                    offset += 1
                    try skipFlowSpace(parent: parent)
                    if let next = peek(), next != UInt8(ascii: ","), next != close {
                        value = try parseFlowNode(parent: parent)
                    }
                }
                value.node.offset = keyOffset
                nodes[key] = value.node
                members.append((key: key, value: value.value))
            } else {
                let value = try parseFlowNode(parent: parent)
                try skipFlowSpace(parent: parent)
                if peek() == UInt8(ascii: ":") {
                    throw error("a key: value pair inside a flow sequence is not supported; write it as {key: value}")
                }
                values.append(value.value)
                elements.append(value.node)
            }
            try skipFlowSpace(parent: parent)
            switch peek() {
            case UInt8(ascii: ","):
                offset += 1
            case close:
                offset += 1
                depth -= 1
                return finishFlow(isMapping, start, values, elements, members, nodes)
            case nil:
                throw error("unterminated flow collection", at: start)
            default:
                throw error("unexpected \(describeCurrent()), expected ',' or '\(UnicodeScalar(close))'")
            }
        }
        depth -= 1
        return finishFlow(isMapping, start, values, elements, members, nodes)
    }

    private func finishFlow(
        _ isMapping: Bool, _ start: Int, _ values: [JSONValue], _ elements: [ConfigSourceNode],
        _ members: [(key: String, value: JSONValue)], _ nodes: [String: ConfigSourceNode]
    ) -> Parsed {
        isMapping
            ? (.object(JSONObject(members)), ConfigSourceNode(offset: start, members: nodes))
            : (.array(values), ConfigSourceNode(offset: start, elements: elements))
    }

    /// A value inside a flow collection.
    private mutating func parseFlowNode(parent: Int) throws(YAMLParseError) -> Parsed {
        guard let byte = peek() else { throw error("unexpected end of input, expected a value") }
        switch byte {
        case UInt8(ascii: "["), UInt8(ascii: "{"):
            return try parseFlowCollection(parent: parent)
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            let start = offset
            return (.string(try parseQuoted(parent: parent)), ConfigSourceNode(offset: start))
        case UInt8(ascii: "&"), UInt8(ascii: "*"), UInt8(ascii: "!"):
            throw refusedProperty(byte)
        case UInt8(ascii: "?") where isSpaceOrEnd(offset + 1):
            throw error("complex keys ('? ') are not supported")
        case UInt8(ascii: "|"), UInt8(ascii: ">"):
            throw error("block scalars ('|', '>') are not allowed inside a flow collection")
        default:
            try checkPlainStart(inFlow: true)
            return try parsePlainValue(parent: parent, inFlow: true)
        }
    }

    /// A key of a flow mapping, taken as text.
    private mutating func parseFlowKey(parent: Int) throws(YAMLParseError) -> String {
        guard let byte = peek() else { throw error("unexpected end of input, expected a key") }
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            return try parseQuoted(parent: parent)
        case UInt8(ascii: "["), UInt8(ascii: "{"):
            throw error("a flow collection cannot be a key")
        case UInt8(ascii: "&"), UInt8(ascii: "*"), UInt8(ascii: "!"):
            throw refusedProperty(byte)
        case UInt8(ascii: "?") where isSpaceOrEnd(offset + 1):
            throw error("complex keys ('? ') are not supported")
        default:
            try checkPlainStart(inFlow: true)
            let start = offset
            let key = try parsePlainText(parent: parent, inFlow: true)
            if key == Array("<<".utf8) { throw error("merge keys ('<<') are not supported; write the keys out", at: start) }
            return String(decoding: key, as: UTF8.self)
        }
    }

    /// Skips spaces, comments and line breaks inside a flow collection.
    private mutating func skipFlowSpace(parent: Int) throws(YAMLParseError) {
        while offset < bytes.count {
            let byte = bytes[offset]
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") {
                offset += 1
            } else if byte == UInt8(ascii: "#") {
                guard offset > 0, bytes[offset - 1] == UInt8(ascii: " ") || bytes[offset - 1] == UInt8(ascii: "\t") || isLineBreak(offset - 1) else {
                    throw error("a comment needs a space before '#'")
                }
                skipToEndOfLine()
            } else if isLineBreak(offset) {
                consumeLineBreak()
                if isMarker("---") || isMarker("...") { throw error("unterminated flow collection (a document marker inside it)") }
                var spaces = offset
                while spaces < bytes.count, bytes[spaces] == UInt8(ascii: " ") { spaces += 1 }
                var content = spaces
                while content < bytes.count, bytes[content] == UInt8(ascii: " ") || bytes[content] == UInt8(ascii: "\t") { content += 1 }
                if content < bytes.count, !isLineBreak(content), bytes[content] != UInt8(ascii: "#") {
                    if content != spaces { throw error("tabs are not allowed in indentation; indent with spaces", at: spaces) }
                    if spaces - offset <= parent {
                        throw error("a continued line of a flow collection must be indented more than its key (column \(parent + 1))", at: spaces)
                    }
                }
                offset = content
            } else {
                return
            }
        }
    }
}
