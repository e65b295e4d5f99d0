import QuotaConfig

extension YAMLCursor {
    /// A plain scalar, possibly over several lines, resolved by the core schema.
    mutating func parsePlainValue(parent: Int, inFlow: Bool) throws(YAMLParseError) -> Parsed {
        let start = offset
        let text = try parsePlainText(parent: parent, inFlow: inFlow)
        let value: JSONValue
        do {
            value = try YAMLScalar.resolve(text)
        } catch {
            switch error {
            case .notFinite: throw self.error("infinity and NaN are not supported; quote the value if it is meant as a string", at: start)
            case .tooLarge: throw self.error("the number does not fit in 64 bits; quote it if it is meant as a string", at: start)
            }
        }
        var node = ConfigSourceNode(offset: start)
        if case .number = value { node.plainNumberText = String(decoding: text, as: UTF8.self) }
        return (value, node)
    }

    /// The text of a plain scalar: lines folded into one (a single line
    /// break is a space, each further empty line a newline), with the
    /// spaces around the breaks removed. Continuation lines must be
    /// indented more than `parent`.
    mutating func parsePlainText(parent: Int, inFlow: Bool) throws(YAMLParseError) -> [UInt8] {
        var text: [UInt8] = []
        var firstLine = true
        var breaks = 0
        while true {
            let segmentStart = offset
            var segmentEnd = offset
            while offset < bytes.count, !isLineBreak(offset) {
                let byte = bytes[offset]
                if byte == UInt8(ascii: ":") {
                    let next = offset + 1
                    if isSpaceOrEnd(next) || (inFlow && Self.isFlowIndicator(bytes[next])) { break }
                }
                if byte == UInt8(ascii: "#"), offset > segmentStart,
                    bytes[offset - 1] == UInt8(ascii: " ") || bytes[offset - 1] == UInt8(ascii: "\t")
                {
                    break
                }
                if inFlow, Self.isFlowIndicator(byte) { break }
                offset += 1
                if byte != UInt8(ascii: " "), byte != UInt8(ascii: "\t") { segmentEnd = offset }
            }
            if !firstLine {
                if breaks == 1 {
                    text.append(UInt8(ascii: " "))
                } else {
                    text += repeatElement(UInt8(ascii: "\n"), count: breaks - 1)
                }
            }
            text += bytes[segmentStart..<segmentEnd]
            firstLine = false
            offset = segmentEnd
            // Does the scalar go on after the line break?
            var probe = offset
            while probe < bytes.count, bytes[probe] == UInt8(ascii: " ") || bytes[probe] == UInt8(ascii: "\t") { probe += 1 }
            guard isAtEndOfLine(probe), probe < bytes.count else { return text }
            guard let (count, contentOffset, contentLineStart) = continuation(after: probe, parent: parent, inFlow: inFlow) else {
                return text
            }
            breaks = count
            offset = contentOffset
            lineStart = contentLineStart
        }
    }

    /// Where a multi-line plain scalar continues after the line break at
    /// `index`: the number of line breaks up to the next line with text,
    /// and that text's position; nil when that line ends the scalar.
    private func continuation(after index: Int, parent: Int, inFlow: Bool) -> (Int, Int, Int)? {
        var position = index
        var breaks = 0
        while position < bytes.count, isLineBreak(position) {
            if bytes[position] == UInt8(ascii: "\r") { position += 1 }
            position += 1
            breaks += 1
            let lineBegin = position
            var spaces = position
            while spaces < bytes.count, bytes[spaces] == UInt8(ascii: " ") { spaces += 1 }
            var content = spaces
            while content < bytes.count, bytes[content] == UInt8(ascii: " ") || bytes[content] == UInt8(ascii: "\t") { content += 1 }
            if content >= bytes.count { return nil }
            if isLineBreak(content) {
                position = content
                continue
            }
            // A document marker, a comment line, or too little indentation ends it.
            let marker = content - lineBegin == 0 && content + 3 <= bytes.count
                && (bytes[content..<(content + 3)].elementsEqual("---".utf8) || bytes[content..<(content + 3)].elementsEqual("...".utf8))
                && isSpaceOrEnd(content + 3)
            if marker || bytes[content] == UInt8(ascii: "#") { return nil }
            if spaces - lineBegin <= parent { return nil }
            if spaces != content { return nil }  // a tab in the indentation: let the caller report it
            if inFlow, Self.isFlowIndicator(bytes[content]) || bytes[content] == UInt8(ascii: ":") { return nil }
            if !inFlow, bytes[content] == UInt8(ascii: ":"), isSpaceOrEnd(content + 1) { return nil }
            return (breaks, content, lineBegin)
        }
        return nil
    }
}
