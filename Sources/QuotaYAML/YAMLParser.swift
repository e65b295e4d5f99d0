import QuotaConfig

/// A strict parser for the subset of YAML 1.2 a configuration file needs.
///
/// Read: block and flow mappings and sequences; plain, single- and
/// double-quoted scalars with YAML's escapes; `|` and `>` block scalars
/// with indentation and chomping indicators; comments; one document with
/// optional `---` and `...` markers. Plain scalars resolve by the 1.2 core
/// schema (`YAMLScalar`), so `yes` and `on` stay strings.
///
/// Refused, each with its own message: anchors, aliases, tags, merge keys
/// (`<<`), complex keys (`?`), directives, more than one document,
/// duplicate keys and tabs in indentation. These either make a value
/// depend on text elsewhere in the file or are rare enough that a
/// configuration using them is more likely a mistake than intent.
///
/// Limits: nesting depth (64, like `JSONParser`) and document size
/// (16 MiB, like the config loader); the work is linear in the input, and
/// malformed input of any kind is an error, never a trap (fuzzed).
public struct YAMLParser: Sendable {
    public static let defaultMaxDepth = 64
    public static let defaultMaxBytes = 16 << 20

    public var maxDepth: Int
    public var maxBytes: Int

    public init(maxDepth: Int = YAMLParser.defaultMaxDepth, maxBytes: Int = YAMLParser.defaultMaxBytes) {
        self.maxDepth = maxDepth
        self.maxBytes = maxBytes
    }

    /// The document's value and source map.
    public func parseDocument(_ bytes: [UInt8]) throws(YAMLParseError) -> YAMLDocument {
        guard bytes.count <= maxBytes else {
            throw YAMLParseError(line: 1, column: 1, message: "the document is larger than \(maxBytes) bytes")
        }
        var cursor = YAMLCursor(bytes: bytes, maxDepth: maxDepth)
        let (value, node) = try cursor.parseDocument()
        return YAMLDocument(value: value, sourceMap: ConfigSourceMap(bytes: bytes, root: node))
    }

    /// Just the value; the entry point the fuzz harness and tests use.
    public func parse(_ bytes: [UInt8]) throws(YAMLParseError) -> JSONValue {
        try parseDocument(bytes).value
    }

    public func parse(_ text: String) throws(YAMLParseError) -> JSONValue {
        try parse(Array(text.utf8))
    }
}
