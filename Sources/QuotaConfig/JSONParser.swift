/// A strict RFC 8259 JSON parser.
///
/// Strict because a configuration mistake should stop the exporter at
/// startup rather than be guessed at: comments, trailing commas, single
/// quotes, `NaN`, leading zeros, unescaped control characters, unpaired
/// surrogates, duplicate keys and anything after the document are errors.
/// A leading UTF-8 byte order mark is skipped, as RFC 8259 allows.
///
/// Nesting is limited (64 by default) so a hostile upstream response cannot
/// exhaust the stack.
public struct JSONParser: Sendable {
    public static let defaultMaxDepth = 64

    /// The deepest allowed nesting of arrays and objects; a top-level array is depth 1.
    public var maxDepth: Int

    public init(maxDepth: Int = JSONParser.defaultMaxDepth) {
        self.maxDepth = maxDepth
    }

    public func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        var cursor = JSONParsingCursor(bytes: bytes, maxDepth: maxDepth)
        return try cursor.parseDocument()
    }

    public func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8))
    }
}

extension JSONValue {
    /// Parses with the default `JSONParser`.
    public static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        try JSONParser().parse(bytes)
    }

    /// Parses with the default `JSONParser`.
    public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try JSONParser().parse(text)
    }
}
