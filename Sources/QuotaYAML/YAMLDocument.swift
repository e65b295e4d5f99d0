import QuotaConfig

/// A parsed YAML document: the value, in the same type JSON parses into,
/// and where each of its parts was written.
public struct YAMLDocument: Sendable {
    public let value: JSONValue
    public let sourceMap: ConfigSourceMap
}
