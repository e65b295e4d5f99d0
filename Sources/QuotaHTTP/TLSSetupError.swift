/// Why a `TLSServerContext` could not be built: `field` is the web-config
/// field at fault (`cert_file`, `key_file`, `cipher_suites`, …) so the
/// caller can name it with its own path; `message` never holds key bytes.
public struct TLSSetupError: Error, Sendable, Equatable, CustomStringConvertible {
    public var field: String
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}
