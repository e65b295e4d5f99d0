/// A credential that prints as `<redacted>` everywhere.
///
/// Interpolation, `print`, `String(describing:)`, `String(reflecting:)`,
/// `dump` and mirrors all show `<redacted>`, so a secret inside a logged
/// struct or error cannot leak by accident. The value is reachable only
/// through `revealed`, a name that stands out in review.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The credential itself. Use it only where it is sent upstream.
    public let revealed: String

    public init(_ revealed: String) {
        self.revealed = revealed
    }

    public var description: String {
        "<redacted>"
    }

    public var debugDescription: String {
        "<redacted>"
    }

    /// No children, so `dump` and reflection stop at the description.
    public var customMirror: Mirror {
        Mirror(self, children: [:])
    }
}
