/// A configuration mistake, naming where it is.
///
/// `path` is the field's location in the document, such as
/// `targets[2].cloudflare.api_token_file`, so the operator can go straight
/// to the line. Messages describe types and rules, never secret values.
public struct ConfigError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Where the mistake is; empty for problems with the whole file.
    public let path: String
    public let message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String {
        path.isEmpty ? message : "\(path): \(message)"
    }
}
