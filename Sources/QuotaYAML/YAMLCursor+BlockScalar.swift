import QuotaConfig

extension YAMLCursor {
    /// A `|` (literal) or `>` (folded) block scalar starting at its
    /// indicator, with optional indentation (1-9) and chomping (`-` strip,
    /// `+` keep, default clip) indicators. Its lines are those indented at
    /// least as much as the first one with text, which must be more than
    /// `parent`; the cursor ends on the last line that belongs to it.
    mutating func parseBlockScalar(parent: Int) throws(YAMLParseError) -> Parsed {
        let start = offset
        let folded = bytes[offset] == UInt8(ascii: ">")
        offset += 1
        var explicitIndent: Int?
        var chomping: UInt8?
        for _ in 0..<2 {
            guard let byte = peek() else { break }
            if byte >= UInt8(ascii: "1"), byte <= UInt8(ascii: "9"), explicitIndent == nil {
                explicitIndent = Int(byte - UInt8(ascii: "0"))
                offset += 1
            } else if byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+"), chomping == nil {
                chomping = byte
                offset += 1
            } else if byte == UInt8(ascii: "0") {
                throw error("the indentation indicator must be 1 to 9")
            }
        }
        if !isSpaceOrEnd(offset) {
            throw error("unexpected \(describeCurrent()) after the block scalar indicator")
        }
        let headerEnd = offset
        skipInlineSpace()
        if peek() == UInt8(ascii: "#"), offset == headerEnd {
            throw error("a comment needs a space before '#'")
        }
        skipToEndOfLine()
        var lastLineEnd = offset
        var lastLineStart = lineStart
        consumeLineBreak()

        var indent: Int? = explicitIndent.map { max(parent, 0) + $0 - (parent < 0 ? 1 : 0) }
        var lines: [ArraySlice<UInt8>] = []
        var leadingEmptyMaxSpaces = 0
        var leadingEmptyMaxOffset = 0
        while offset < bytes.count {
            if isMarker("---") || isMarker("...") { break }
            var spaces = offset
            while spaces < bytes.count, bytes[spaces] == UInt8(ascii: " ") { spaces += 1 }
            let count = spaces - offset
            var lineEnd = spaces
            while lineEnd < bytes.count, !isLineBreak(lineEnd) { lineEnd += 1 }
            if indent == nil {
                if spaces == lineEnd {  // an empty line before the first line with text
                    if count > leadingEmptyMaxSpaces {
                        leadingEmptyMaxSpaces = count
                        leadingEmptyMaxOffset = spaces
                    }
                    lines.append(bytes[spaces..<spaces])
                    offset = lineEnd
                    lastLineEnd = lineEnd
                    lastLineStart = lineStart
                    consumeLineBreak()
                    continue
                }
                if bytes[spaces] == UInt8(ascii: "\t"), count <= parent + 1 {
                    throw error("tabs are not allowed in indentation; indent with spaces", at: spaces)
                }
                guard count > parent else { break }
                if leadingEmptyMaxSpaces > count {
                    throw error("an empty line at the start of a block scalar has more spaces than its first line", at: leadingEmptyMaxOffset)
                }
                indent = count
            }
            guard let contentIndent = indent else { break }
            if count >= contentIndent {
                lines.append(bytes[(offset + contentIndent)..<lineEnd])
            } else if spaces == lineEnd {
                lines.append(bytes[spaces..<spaces])
            } else {
                break
            }
            offset = lineEnd
            lastLineEnd = lineEnd
            lastLineStart = lineStart
            consumeLineBreak()
        }
        offset = lastLineEnd
        lineStart = lastLineStart
        let text = Self.blockScalarText(lines, folded: folded, chomping: chomping)
        return (.string(String(decoding: text, as: UTF8.self)), ConfigSourceNode(offset: start))
    }

    /// Joins the lines (literal: with line breaks; folded: a break between
    /// two lines of text becomes a space, except around more-indented
    /// lines) and applies the chomping indicator to the final breaks.
    private static func blockScalarText(_ lines: [ArraySlice<UInt8>], folded: Bool, chomping: UInt8?) -> [UInt8] {
        let lastContent = lines.lastIndex { !$0.isEmpty }
        var text: [UInt8] = []
        if let lastContent {
            var previousWasText = false  // the previous line with text was not more-indented
            var pendingBreaks = 0
            var seenContent = false
            for line in lines[...lastContent] {
                if line.isEmpty {
                    pendingBreaks += 1
                    continue
                }
                let moreIndented = line.first == UInt8(ascii: " ") || line.first == UInt8(ascii: "\t")
                if !seenContent {
                    text += repeatElement(UInt8(ascii: "\n"), count: pendingBreaks)
                } else if folded && previousWasText && !moreIndented {
                    if pendingBreaks == 0 {
                        text.append(UInt8(ascii: " "))
                    } else {
                        text += repeatElement(UInt8(ascii: "\n"), count: pendingBreaks)
                    }
                } else {
                    text += repeatElement(UInt8(ascii: "\n"), count: pendingBreaks + 1)
                }
                text += line
                seenContent = true
                previousWasText = !moreIndented
                pendingBreaks = 0
            }
        }
        let trailing = lines.count - ((lastContent ?? -1) + 1)
        switch chomping {
        case UInt8(ascii: "-"):
            break
        case UInt8(ascii: "+"):
            if lastContent != nil { text.append(UInt8(ascii: "\n")) }
            text += repeatElement(UInt8(ascii: "\n"), count: trailing)
        default:
            if lastContent != nil { text.append(UInt8(ascii: "\n")) }
        }
        return text
    }
}
