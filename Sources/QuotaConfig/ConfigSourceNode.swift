/// Where one value of a parsed document was written, with its children,
/// mirroring the `JSONValue` tree it was parsed into.
///
/// A tree rather than a table keyed by field path: building every node's
/// path string while parsing costs the depth times the key lengths per
/// node, which a long document of deep, long keys turns quadratic.
public struct ConfigSourceNode: Sendable {
    /// The byte offset to report for this value: a mapping member's key,
    /// a sequence entry's `-`, or the value itself.
    public var offset: Int
    /// For a plain YAML scalar that resolved to a number, its text as
    /// written: it decides whether the number may stand for a string.
    public var plainNumberText: String?
    public var members: [String: ConfigSourceNode]
    public var elements: [ConfigSourceNode]

    public init(offset: Int, plainNumberText: String? = nil, members: [String: ConfigSourceNode] = [:], elements: [ConfigSourceNode] = []) {
        self.offset = offset
        self.plainNumberText = plainNumberText
        self.members = members
        self.elements = elements
    }
}
