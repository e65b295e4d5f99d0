/// Turns the bytes of one request head (request line and header fields,
/// without the blank line that ends them) into a `RequestHead`, strictly:
/// anything ambiguous is refused rather than guessed at, because a lenient
/// parser in front of another parser is how request smuggling happens.
enum RequestHeadParser {
    static func parse(_ bytes: ArraySlice<UInt8>, maxBodyBytes: Int) throws(HTTPParseError) -> RequestHead {
        var lines = try splitLines(bytes)
        guard !lines.isEmpty else { throw .badRequest("empty request") }
        let (method, target, version) = try parseRequestLine(lines.removeFirst())

        var headers = HTTPHeaders()
        for line in lines {
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

    /// Splits on LF, dropping one CR before it (bare LF line ends are
    /// accepted); a CR anywhere else is refused.
    private static func splitLines(_ bytes: ArraySlice<UInt8>) throws(HTTPParseError) -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        for var line in bytes.split(separator: HTTPSyntax.lf, omittingEmptySubsequences: false) {
            if line.last == HTTPSyntax.cr {
                line = line.dropLast()
            }
            if line.contains(HTTPSyntax.cr) {
                throw .badRequest("bare CR in request head")
            }
            lines.append(line)
        }
        return lines
    }

    private static func parseRequestLine(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> (String, String, String) {
        let parts = line.split(separator: HTTPSyntax.space, omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty }) else {
            throw .badRequest("malformed request line")
        }
        guard HTTPSyntax.isToken(parts[0]) else { throw .badRequest("invalid method") }
        let method = String(decoding: parts[0], as: UTF8.self)
        let version = try parseVersion(parts[2])

        let targetBytes = parts[1]
        guard targetBytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw .badRequest("invalid character in request target")
        }
        let target = String(decoding: targetBytes, as: UTF8.self)
        let isOriginForm = target.hasPrefix("/")
        let isAsteriskForm = target == "*" && method == "OPTIONS"
        guard isOriginForm || isAsteriskForm else {
            throw .badRequest("request target must start with '/'")
        }
        return (method, target, version)
    }

    /// `HTTP/1.0` and `HTTP/1.1` are served; any other well-formed
    /// `HTTP/x.y` gets 505, anything else 400.
    private static func parseVersion(_ bytes: ArraySlice<UInt8>) throws(HTTPParseError) -> String {
        let version = String(decoding: bytes, as: UTF8.self)
        if version == "HTTP/1.1" || version == "HTTP/1.0" {
            return version
        }
        let shape = Array(bytes)
        if shape.count == 8, version.hasPrefix("HTTP/"), HTTPSyntax.isDigit(shape[5]),
           shape[6] == UInt8(ascii: "."), HTTPSyntax.isDigit(shape[7]) {
            throw HTTPParseError(status: 505, reason: "\(version) is not supported")
        }
        throw .badRequest("malformed HTTP version")
    }

    private static func parseField(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> (String, String) {
        if let first = line.first, first == HTTPSyntax.space || first == HTTPSyntax.tab {
            throw .badRequest("obsolete header line folding")
        }
        guard let colon = line.firstIndex(of: HTTPSyntax.colon) else {
            throw .badRequest("header line without ':'")
        }
        let name = line[..<colon]
        if let last = name.last, last == HTTPSyntax.space || last == HTTPSyntax.tab {
            throw .badRequest("whitespace before ':' in header")
        }
        guard HTTPSyntax.isToken(name) else { throw .badRequest("invalid header name") }
        let value = line[line.index(after: colon)...]
        guard !value.contains(where: HTTPSyntax.isForbiddenInFieldValue) else {
            throw .badRequest("control character in header value")
        }
        return (String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self).trimmingSpaces())
    }

    /// HTTP/1.1 requires exactly one Host; HTTP/1.0 allows at most one.
    private static func checkHost(_ headers: HTTPHeaders, version: String) throws(HTTPParseError) {
        let hosts = headers.values("Host")
        if hosts.count > 1 {
            throw .badRequest("multiple Host headers")
        }
        if hosts.isEmpty, version == "HTTP/1.1" {
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
        let isSpace: (UInt8) -> Bool = { $0 == HTTPSyntax.space || $0 == HTTPSyntax.tab }
        var normalized: [UInt8]?
        for value in values {
            for element in Array(value.utf8).split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
                guard let first = element.firstIndex(where: { !isSpace($0) }),
                      let last = element.lastIndex(where: { !isSpace($0) }),
                      element[first...last].allSatisfy(HTTPSyntax.isDigit) else {
                    throw .badRequest("invalid Content-Length")
                }
                let significant = element[first...last].drop { $0 == UInt8(ascii: "0") }
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
