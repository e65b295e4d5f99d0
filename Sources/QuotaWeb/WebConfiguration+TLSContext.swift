import QuotaConfig
import QuotaHTTP

extension WebConfiguration {
    /// The listener's TLS context for these settings (nil: plain HTTP).
    /// Building it is the last check of a web config (key against
    /// certificate, suite and curve names), so `--config.check`, the start
    /// and every re-read go through here; the error names the field.
    public func makeTLSContext(file: String) throws(ConfigError) -> TLSServerContext? {
        guard let tls else { return nil }
        do throws(TLSSetupError) {
            return try TLSServerContext(tls)
        } catch {
            throw Self.error(error, file: file)
        }
    }

    static func error(_ error: TLSSetupError, file: String) -> ConfigError {
        let field = error.field == "tls_server_config" || error.field.hasPrefix("tls_server_config.") ? error.field : "tls_server_config." + error.field
        return ConfigError(path: field, message: "\(file): \(error.message)")
    }
}
