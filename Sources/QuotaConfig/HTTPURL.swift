/// An absolute `http` or `https` URL, parsed strictly: the only kind of URL
/// the exporter calls or is told about (provider base URLs, endpoints, the
/// receiver URL). Replaces Foundation's `URL`, which brought ICU along.
///
/// `absoluteString` is the text exactly as given, so joining paths onto a
/// configured base keeps what the user wrote. Parsing refuses whitespace,
/// control and non-ASCII characters, fragments, an empty host and a port
/// outside 1...65535, rather than guessing what was meant.
public struct HTTPURL: Sendable, Hashable, CustomStringConvertible {
    /// Lower-cased: `http` or `https`.
    public let scheme: String
    /// `user:password` before the `@`, if any; never logged on its own.
    public let userInfo: String?
    /// The host without the brackets of an IPv6 literal.
    public let host: String
    public let port: Int?
    /// Percent-encoded, as written: empty or starting with `/`.
    public let path: String
    /// Percent-encoded, as written, without the `?`.
    public let query: String?
    public let absoluteString: String

    public var description: String { absoluteString }

    public init?(string text: String) {
        guard text.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }), !text.contains("#") else { return nil }
        guard let schemeEnd = text.firstRange(of: "://") else { return nil }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        let rest = text[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        var userInfo: String?
        if let at = authority.lastIndex(of: "@") {
            userInfo = String(authority[..<at])
            authority = authority[authority.index(after: at)...]
        }
        var host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return nil }
                portText = after.dropFirst()
            }
            guard !host.isEmpty, host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else { return nil }
        } else {
            if let colon = authority.firstIndex(of: ":") {
                host = authority[..<colon]
                portText = authority[authority.index(after: colon)...]
            } else {
                host = authority
            }
            guard !host.isEmpty,
                host.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." || $0 == "_" || $0 == "%" })
            else { return nil }
        }
        var port: Int?
        if let portText {
            // An empty port (`host:`) means the default, as in RFC 3986.
            if !portText.isEmpty {
                guard portText.count <= 5, portText.allSatisfy({ $0.isASCII && $0.isNumber }),
                    let number = Int(portText), (1...65535).contains(number)
                else { return nil }
                port = number
            }
        }
        let pathAndQuery = rest[authorityEnd...]
        var path = pathAndQuery
        var query: String?
        if let mark = pathAndQuery.firstIndex(of: "?") {
            path = pathAndQuery[..<mark]
            query = String(pathAndQuery[pathAndQuery.index(after: mark)...])
        }
        self.scheme = scheme
        self.userInfo = userInfo
        self.host = String(host)
        self.port = port
        self.path = String(path)
        self.query = query
        self.absoluteString = text
    }
}
