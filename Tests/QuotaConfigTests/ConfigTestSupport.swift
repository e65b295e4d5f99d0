import Testing
@testable import QuotaConfig

/// A strict reader over `json`, with an in-memory environment by default so
/// tests never depend on the real process environment.
func reader(_ json: String, environment: ConfigEnvironment = .inMemory()) throws(ConfigError) -> ConfigObject {
    try ConfigObject.parse(Array(json.utf8), environment: environment)
}

/// The `ConfigError` that `body` throws, so a test can assert on its path
/// and message; nil (and a recorded issue) if it throws nothing or something else.
func configError(sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) -> ConfigError? {
    do {
        try body()
        Issue.record("expected a ConfigError, but nothing was thrown", sourceLocation: sourceLocation)
        return nil
    } catch let error as ConfigError {
        return error
    } catch {
        Issue.record("expected a ConfigError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
