/// A ready-to-use server TLS context built from `TLSServerSettings`:
/// building it is where every setting is checked (key matches certificate,
/// known cipher suites and curves, a CA bundle where verification needs
/// one), so `--config.check` and a re-read can validate a web config by
/// building one, and a broken new file never replaces a working context.
///
/// PLACEHOLDER until the TLS listener lands: construction always fails.
public final class TLSServerContext: Sendable {
    public let settings: TLSServerSettings

    public init(_ settings: TLSServerSettings) throws(TLSSetupError) {
        self.settings = settings
        throw TLSSetupError(field: "tls_server_config", message: "TLS is not built yet")
    }
}

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
