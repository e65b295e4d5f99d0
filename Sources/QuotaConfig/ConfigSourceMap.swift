/// Where each field of a YAML configuration was written, so a validation
/// error can name the line and column as well as the field path, and
/// how its plain scalars were written, for the number-as-string rule.
///
/// Lookups go by the field path the error carries (`targets[2].labels.team`),
/// so every error gets a location, including those a provider builds by
/// hand, without threading positions through each `ConfigType`.
public struct ConfigSourceMap: Sendable {
    /// The document, kept to turn an offset into a line and column only
    /// when an error is reported.
    let bytes: [UInt8]
    let root: ConfigSourceNode

    public init(bytes: [UInt8], root: ConfigSourceNode) {
        self.bytes = bytes
        self.root = root
    }

    /// The location of the value at `path`, or of its nearest written
    /// ancestor when the value itself is absent (a missing key is reported
    /// at its object); nil for the root and for paths outside the document.
    public func location(of path: String) -> ConfigSourceLocation? {
        guard !path.isEmpty, let components = ConfigPathComponents.parse(path) else { return nil }
        var node = root
        var found = false
        for component in components {
            guard let next = Self.child(of: node, component) else { break }
            node = next
            found = true
        }
        return found ? ConfigSourceLocation(offset: node.offset, in: bytes) : nil
    }

    /// The text of the plain scalar at `path` when it resolved to a number.
    public func plainNumberText(at path: String) -> String? {
        guard let components = ConfigPathComponents.parse(path) else { return nil }
        var node = root
        for component in components {
            guard let next = Self.child(of: node, component) else { return nil }
            node = next
        }
        return node.plainNumberText
    }

    /// `error` with the location of its field added, if known.
    public func locate(_ error: ConfigError) -> ConfigError {
        guard error.location == nil, let location = location(of: error.path) else { return error }
        return ConfigError(path: error.path, message: error.message, location: location)
    }

    private static func child(of node: ConfigSourceNode, _ component: ConfigPathComponents.Component) -> ConfigSourceNode? {
        switch component {
        case .member(let key): node.members[key]
        case .element(let index): node.elements.indices.contains(index) ? node.elements[index] : nil
        }
    }
}
