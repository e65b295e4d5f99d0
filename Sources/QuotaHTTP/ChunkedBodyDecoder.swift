/// Decodes a `Transfer-Encoding: chunked` body incrementally, as bytes
/// arrive, enforcing the body cap on the decoded size (a chunked body has no
/// length up front to check).
///
/// Every limit is checked the same way on a line that is still arriving and
/// on a complete one, so the answer never depends on how the bytes were split
/// into reads. What it leaves unconsumed in `input` between calls is at most
/// `maxHeldBytes`.
struct ChunkedBodyDecoder {
    private enum State {
        case sizeLine
        case data(remaining: Int)
        case dataEnd
        /// `seenBytes` counts the trailer lines so far, line ends included.
        case trailers(seenBytes: Int)
    }

    /// Chunk-size lines are tiny; a longer one (size, extensions and line
    /// end) is garbage or an attack.
    static let maxSizeLineBytes = 1024
    /// More significant hex digits than this is more than any `Int` body
    /// cap, so the size is refused before it is converted.
    private static let maxSizeDigits = 15

    private var state = State.sizeLine
    private let maxBodyBytes: Int
    private let maxTrailerBytes: Int
    private(set) var body: [UInt8] = []

    init(maxBodyBytes: Int, maxTrailerBytes: Int) {
        self.maxBodyBytes = maxBodyBytes
        self.maxTrailerBytes = maxTrailerBytes
    }

    /// The most bytes `consume` leaves in its input while it waits for more.
    var maxHeldBytes: Int { max(Self.maxSizeLineBytes, maxTrailerBytes) }

    /// Consumes what it can from the front of `input`; true once the last
    /// chunk and the trailer section (which is discarded) are through.
    mutating func consume(_ input: inout [UInt8]) throws(HTTPParseError) -> Bool {
        var cursor = 0
        defer { input.removeFirst(cursor) }
        while true {
            switch state {
            case .sizeLine:
                let tooLong = HTTPParseError.badRequest("chunk size line too long")
                guard let line = try nextLine(input, from: &cursor, limit: Self.maxSizeLineBytes, tooLong: tooLong) else {
                    return false
                }
                let size = try parseSize(line)
                guard size <= maxBodyBytes - body.count else {
                    throw Self.bodyTooLarge(maxBodyBytes)
                }
                state = size == 0 ? .trailers(seenBytes: 0) : .data(remaining: size)
            case .data(let remaining):
                let available = min(remaining, input.count - cursor)
                guard available > 0 else { return false }
                body.append(contentsOf: input[cursor..<cursor + available])
                cursor += available
                state = remaining == available ? .dataEnd : .data(remaining: remaining - available)
            case .dataEnd:
                let missing = HTTPParseError.badRequest("missing CRLF after chunk data")
                guard let line = try nextLine(input, from: &cursor, limit: 1, tooLong: missing) else {
                    return false
                }
                guard line.isEmpty else { throw missing }
                state = .sizeLine
            case .trailers(let seenBytes):
                let tooLarge = HTTPParseError.badRequest("chunked trailers too large")
                let start = cursor
                // Line ends count, so the limit is the same as the head's.
                guard let line = try nextLine(input, from: &cursor, limit: maxTrailerBytes - seenBytes - 1, tooLong: tooLarge) else {
                    return false
                }
                if line.isEmpty {
                    return true
                }
                guard !line.contains(where: HTTPSyntax.isForbiddenInFieldValue) else {
                    throw .badRequest("control character in chunked trailers")
                }
                state = .trailers(seenBytes: seenBytes + cursor - start)
            }
        }
    }

    static func bodyTooLarge(_ maxBodyBytes: Int) -> HTTPParseError {
        HTTPParseError(status: 413, reason: "request body exceeds the \(maxBodyBytes)-byte limit")
    }

    /// The next LF-terminated line without its line end, advancing `cursor`
    /// past it; nil when the line is not complete yet. A line with more than
    /// `limit` bytes before its LF (a CR included) throws `tooLong`, whether
    /// the LF has arrived or not: the bytes waiting for their LF all belong
    /// to the line, so a split input fails exactly when the whole one does.
    private func nextLine(
        _ input: [UInt8],
        from cursor: inout Int,
        limit: Int,
        tooLong: HTTPParseError
    ) throws(HTTPParseError) -> ArraySlice<UInt8>? {
        guard let lf = input[cursor...].firstIndex(of: HTTPSyntax.lf) else {
            if input.count - cursor > limit { throw tooLong }
            return nil
        }
        if lf - cursor > limit { throw tooLong }
        var line = input[cursor..<lf]
        if line.last == HTTPSyntax.cr {
            line = line.dropLast()
        }
        cursor = lf + 1
        return line
    }

    /// `1*HEXDIG [ BWS ";" chunk-ext ]`. Hex digits only: `Int(_:radix:)`
    /// would also take a sign, and a negative size passes any cap.
    /// Extensions are ignored, but may not hold control characters.
    private func parseSize(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> Int {
        let digits = line.prefix(while: Self.isHexDigit)
        guard !digits.isEmpty else { throw .badRequest("invalid chunk size") }
        let rest = line[digits.endIndex...].drop(while: HTTPSyntax.isWhitespace)
        guard rest.isEmpty || rest.first == UInt8(ascii: ";"),
              !rest.contains(where: HTTPSyntax.isForbiddenInFieldValue) else {
            throw .badRequest("invalid chunk size")
        }
        let significant = digits.drop { $0 == UInt8(ascii: "0") }
        guard significant.count <= Self.maxSizeDigits else { throw Self.bodyTooLarge(maxBodyBytes) }
        var size = 0
        for digit in significant {
            size = size << 4 | Self.hexValue(digit)
        }
        return size
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        let lowered = byte | 0x20
        return HTTPSyntax.isDigit(byte) || (lowered >= UInt8(ascii: "a") && lowered <= UInt8(ascii: "f"))
    }

    private static func hexValue(_ byte: UInt8) -> Int {
        HTTPSyntax.isDigit(byte) ? Int(byte - UInt8(ascii: "0")) : Int((byte | 0x20) - UInt8(ascii: "a")) + 10
    }
}
