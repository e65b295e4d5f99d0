/// A configuration mistake, naming where it is.
///
/// `path` is the field's location in the document, such as
/// `targets[2].cloudflare.api_token_file`, so the operator can go straight
/// to the line. Messages describe types and rules, never secret values.
public struct ConfigError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Where the mistake is; empty for problems with the whole file.
    public let path: String
    public let message: String
    /// Where the field is in the file, when the document says (YAML does;
    /// JSON errors keep the form they always had).
    public var location: ConfigSourceLocation?

    public init(path: String, message: String, location: ConfigSourceLocation? = nil) {
        self.path = path
        self.message = message
        self.location = location
    }

    public var description: String {
        switch (path.isEmpty, location) {
        case (true, nil): message
        case (false, nil): "\(path): \(message)"
        case (true, let location?): "\(location): \(message)"
        case (false, let location?): "\(path) (\(location)): \(message)"
        }
    }
}
