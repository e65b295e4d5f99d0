/// Turns the bytes of one request head (request line and header fields,
/// without the blank line that ends them) into a `RequestHead`, strictly:
/// anything ambiguous is refused rather than guessed at, because a lenient
/// parser in front of another parser is how request smuggling happens.
enum RequestHeadParser {
    static func parse(_ bytes: ArraySlice<UInt8>, maxBodyBytes: Int) throws(HTTPParseError) -> RequestHead {
        // Every line is checked for a stray CR before any is parsed, so
        // which error a head gets does not depend on where the CR is.
        let lineCount = try checkLineEnds(bytes)
        var lines = Lines(bytes)
        guard let requestLine = lines.next() else { throw .badRequest("empty request") }
        let (method, target, version) = try parseRequestLine(requestLine)

        var headers = HTTPHeaders()
        headers.reserveCapacity(lineCount - 1)
        while let line = lines.next() {
            let (name, value) = try parseField(line)
            headers.add(name, value)
        }

        try checkHost(headers, version: version)
        let framing = try bodyFraming(headers, version: version, maxBodyBytes: maxBodyBytes)
        let connection = HTTPSyntax.listElements(headers.values("Connection"))
        let keepAlive = version == "HTTP/1.1"
            ? !connection.contains("close")
            : connection.contains("keep-alive") && !connection.contains("close")
        // RFC 9110: a server must ignore 100-continue from HTTP/1.0 clients.
        let expectsContinue = version == "HTTP/1.1"
            && headers["Expect"].map { $0.trimmingSpaces().lowercased() == "100-continue" } == true

        return RequestHead(
            method: method,
            target: target,
            version: version,
            headers: headers,
            framing: framing,
            keepAlive: keepAlive,
            expectsContinue: expectsContinue
        )
    }

    /// Lines end at LF, with one CR before it dropped (bare LF line ends are
    /// accepted), so a CR is allowed only right before an LF or as the last
    /// byte (the head comes without its final line end); any other is
    /// refused. Returns the number of lines, one more than the LFs.
    private static func checkLineEnds(_ bytes: ArraySlice<UInt8>) throws(HTTPParseError) -> Int {
        var lines = 1
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == HTTPSyntax.lf {
                lines += 1
            } else if byte == HTTPSyntax.cr, index + 1 < bytes.endIndex, bytes[index + 1] != HTTPSyntax.lf {
                throw .badRequest("bare CR in request head")
            }
            index += 1
        }
        return lines
    }

    /// The head's lines, split as `split(separator: LF, omittingEmpty
    /// Subsequences: false)` would (so an empty head is one empty line),
    /// without one CR before each line end, and without making an array.
    private struct Lines {
        let bytes: ArraySlice<UInt8>
        var start: Int
        var done = false

        init(_ bytes: ArraySlice<UInt8>) {
            self.bytes = bytes
            self.start = bytes.startIndex
        }

        mutating func next() -> ArraySlice<UInt8>? {
            guard !done else { return nil }
            var end = start
            while end < bytes.endIndex, bytes[end] != HTTPSyntax.lf {
                end += 1
            }
            var line = bytes[start..<end]
            if end == bytes.endIndex {
                done = true
            } else {
                start = end + 1
            }
            if line.last == HTTPSyntax.cr {
                line = line.dropLast()
            }
            return line
        }
    }

    /// `method SP target SP version`: exactly two spaces, none of the three
    /// parts empty.
    private static func parseRequestLine(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> (String, String, String) {
        guard let first = line.firstIndex(of: HTTPSyntax.space),
              let second = line[(first + 1)...].firstIndex(of: HTTPSyntax.space),
              !line[(second + 1)...].contains(HTTPSyntax.space),
              first > line.startIndex, second > first + 1, second + 1 < line.endIndex else {
            throw .badRequest("malformed request line")
        }
        let methodBytes = line[..<first]
        guard HTTPSyntax.isToken(methodBytes) else { throw .badRequest("invalid method") }
        let method = knownMethod(methodBytes) ?? String(decoding: methodBytes, as: UTF8.self)
        let version = try parseVersion(line[(second + 1)...])

        let targetBytes = line[(first + 1)..<second]
        guard targetBytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw .badRequest("invalid character in request target")
        }
        let isOriginForm = targetBytes.first == UInt8(ascii: "/")
        let isAsteriskForm = targetBytes.elementsEqual("*".utf8) && method == "OPTIONS"
        guard isOriginForm || isAsteriskForm else {
            throw .badRequest("request target must start with '/'")
        }
        return (method, String(decoding: targetBytes, as: UTF8.self), version)
    }

    /// The methods a scraper and a probe send, as constants, so the common
    /// request decodes no string for them.
    private static func knownMethod(_ bytes: ArraySlice<UInt8>) -> String? {
        if bytes.elementsEqual("GET".utf8) { return "GET" }
        if bytes.elementsEqual("HEAD".utf8) { return "HEAD" }
        if bytes.elementsEqual("POST".utf8) { return "POST" }
        return nil
    }

    /// `HTTP/1.0` and `HTTP/1.1` are served; any other well-formed
    /// `HTTP/x.y` gets 505, anything else 400.
    private static func parseVersion(_ bytes: ArraySlice<UInt8>) throws(HTTPParseError) -> String {
        if bytes.elementsEqual("HTTP/1.1".utf8) { return "HTTP/1.1" }
        if bytes.elementsEqual("HTTP/1.0".utf8) { return "HTTP/1.0" }
        let shape = Array(bytes)
        if shape.count == 8, shape.starts(with: "HTTP/".utf8), HTTPSyntax.isDigit(shape[5]),
           shape[6] == UInt8(ascii: "."), HTTPSyntax.isDigit(shape[7]) {
            throw HTTPParseError(status: 505, reason: "\(String(decoding: shape, as: UTF8.self)) is not supported")
        }
        throw .badRequest("malformed HTTP version")
    }

    private static func parseField(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> (String, String) {
        if let first = line.first, HTTPSyntax.isWhitespace(first) {
            throw .badRequest("obsolete header line folding")
        }
        guard let colon = line.firstIndex(of: HTTPSyntax.colon) else {
            throw .badRequest("header line without ':'")
        }
        let name = line[..<colon]
        if let last = name.last, HTTPSyntax.isWhitespace(last) {
            throw .badRequest("whitespace before ':' in header")
        }
        guard HTTPSyntax.isToken(name) else { throw .badRequest("invalid header name") }
        let value = line[(colon + 1)...]
        guard !value.contains(where: HTTPSyntax.isForbiddenInFieldValue) else {
            throw .badRequest("control character in header value")
        }
        // OWS is bytes (SP and HTAB), trimmed before decoding.
        return (String(decoding: name, as: UTF8.self), String(decoding: HTTPSyntax.trimmingWhitespace(value), as: UTF8.self))
    }

    /// HTTP/1.1 requires exactly one Host; HTTP/1.0 allows at most one.
    private static func checkHost(_ headers: HTTPHeaders, version: String) throws(HTTPParseError) {
        let hosts = headers.count("Host")
        if hosts > 1 {
            throw .badRequest("multiple Host headers")
        }
        if hosts == 0, version == "HTTP/1.1" {
            throw .badRequest("missing Host header")
        }
    }

    private static func bodyFraming(
        _ headers: HTTPHeaders,
        version: String,
        maxBodyBytes: Int
    ) throws(HTTPParseError) -> BodyFraming {
        let transferEncodings = headers.values("Transfer-Encoding")
        let contentLengths = headers.values("Content-Length")

        if !transferEncodings.isEmpty {
            guard contentLengths.isEmpty else {
                throw .badRequest("both Content-Length and Transfer-Encoding")
            }
            guard version == "HTTP/1.1" else {
                throw .badRequest("Transfer-Encoding in an HTTP/1.0 request")
            }
            let codings = HTTPSyntax.listElements(transferEncodings)
            if codings == ["chunked"] {
                return .chunked
            }
            if codings.contains("chunked"), codings.last != "chunked" {
                throw .badRequest("chunked must be the last transfer coding")
            }
            throw HTTPParseError(status: 501, reason: "transfer coding \"\(codings.joined(separator: ", "))\" is not supported")
        }

        guard !contentLengths.isEmpty else { return .none }
        let length = try contentLength(contentLengths, maxBodyBytes: maxBodyBytes)
        return length == 0 ? .none : .contentLength(length)
    }

    /// Decimal digits only (no sign, no space inside, no `0x`), compared
    /// as digit strings and bounded before they are converted, so no value
    /// of any length can trap or wrap. "Content-Length: 5, 5" and repeated
    /// identical fields are legal (RFC 9110 §8.6); values that disagree are
    /// refused, since another parser on the path may pick the other one.
    private static func contentLength(_ values: [String], maxBodyBytes: Int) throws(HTTPParseError) -> Int {
        var normalized: [UInt8]?
        for value in values {
            for element in Array(value.utf8).split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
                let trimmed = HTTPSyntax.trimmingWhitespace(element)
                guard !trimmed.isEmpty, trimmed.allSatisfy(HTTPSyntax.isDigit) else {
                    throw .badRequest("invalid Content-Length")
                }
                let significant = trimmed.drop { $0 == UInt8(ascii: "0") }
                let digits = significant.isEmpty ? [UInt8(ascii: "0")] : Array(significant)
                if let previous = normalized, previous != digits {
                    throw .badRequest("conflicting Content-Length values")
                }
                normalized = digits
            }
        }
        let tooLarge = HTTPParseError(status: 413, reason: "request body exceeds the \(maxBodyBytes)-byte limit")
        // 18 decimal digits always fit an Int; more is far over any cap.
        guard let digits = normalized, digits.count <= 18 else { throw tooLarge }
        var length = 0
        for digit in digits {
            length = length * 10 + Int(digit - UInt8(ascii: "0"))
        }
        guard length <= maxBodyBytes else { throw tooLarge }
        return length
    }
}
