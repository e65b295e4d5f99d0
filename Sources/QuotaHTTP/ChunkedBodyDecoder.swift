/// Decodes a `Transfer-Encoding: chunked` body incrementally, as bytes
/// arrive, enforcing the body cap on the decoded size (a chunked body has no
/// length up front to check).
struct ChunkedBodyDecoder {
    private enum State {
        case sizeLine
        case data(remaining: Int)
        case dataEnd
        case trailers(seenBytes: Int)
    }

    /// Chunk-size lines are tiny; a longer one is garbage or an attack.
    private static let maxSizeLineBytes = 1024

    private var state = State.sizeLine
    private let maxBodyBytes: Int
    private let maxTrailerBytes: Int
    private(set) var body: [UInt8] = []

    init(maxBodyBytes: Int, maxTrailerBytes: Int) {
        self.maxBodyBytes = maxBodyBytes
        self.maxTrailerBytes = maxTrailerBytes
    }

    /// Consumes what it can from the front of `input`; true once the last
    /// chunk and the trailer section (which is discarded) are through.
    mutating func consume(_ input: inout [UInt8]) throws(HTTPParseError) -> Bool {
        var cursor = 0
        defer { input.removeFirst(cursor) }
        while true {
            switch state {
            case .sizeLine:
                guard let line = nextLine(input, from: &cursor) else {
                    if input.count - cursor > Self.maxSizeLineBytes { throw .badRequest("chunk size line too long") }
                    return false
                }
                let size = try parseSize(line)
                guard size <= maxBodyBytes - body.count else {
                    throw HTTPParseError(status: 413, reason: "request body exceeds the \(maxBodyBytes)-byte limit")
                }
                state = size == 0 ? .trailers(seenBytes: 0) : .data(remaining: size)
            case .data(let remaining):
                let available = min(remaining, input.count - cursor)
                guard available > 0 else { return false }
                body.append(contentsOf: input[cursor..<cursor + available])
                cursor += available
                state = remaining == available ? .dataEnd : .data(remaining: remaining - available)
            case .dataEnd:
                guard let line = nextLine(input, from: &cursor) else {
                    if input.count - cursor > 1 { throw .badRequest("missing CRLF after chunk data") }
                    return false
                }
                guard line.isEmpty else { throw .badRequest("missing CRLF after chunk data") }
                state = .sizeLine
            case .trailers(let seenBytes):
                guard let line = nextLine(input, from: &cursor) else {
                    if seenBytes + input.count - cursor > maxTrailerBytes { throw .badRequest("chunked trailers too large") }
                    return false
                }
                if line.isEmpty {
                    return true
                }
                let total = seenBytes + line.count
                guard total <= maxTrailerBytes else { throw .badRequest("chunked trailers too large") }
                state = .trailers(seenBytes: total)
            }
        }
    }

    /// The next LF-terminated line without its line end, advancing `cursor`
    /// past it; nil when the line is not complete yet.
    private func nextLine(_ input: [UInt8], from cursor: inout Int) -> ArraySlice<UInt8>? {
        guard let lf = input[cursor...].firstIndex(of: HTTPSyntax.lf) else { return nil }
        var line = input[cursor..<lf]
        if line.last == HTTPSyntax.cr {
            line = line.dropLast()
        }
        cursor = lf + 1
        return line
    }

    /// `1*HEXDIG [ ";" chunk-ext ]`; extensions are ignored.
    private func parseSize(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> Int {
        let digits = line.prefix { $0 != UInt8(ascii: ";") }
        guard !digits.isEmpty, digits.count <= 15, !line.contains(HTTPSyntax.cr),
              let size = Int(String(decoding: digits, as: UTF8.self), radix: 16) else {
            throw .badRequest("invalid chunk size")
        }
        return size
    }
}
