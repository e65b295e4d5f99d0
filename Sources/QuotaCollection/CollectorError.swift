import QuotaText
/// Why a collection failed, as a value: the `reason` goes into
/// `quota_exporter_collector_errors_total{reason}`, the message (the
/// provider's own words where there are any) into the log and status page.
///
/// Messages must never contain a secret; collectors build them from status
/// codes and the provider's error body, never from request headers.
public struct CollectorError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The bounded set of values of the `reason` label.
    public enum Reason: String, Sendable, Hashable, CaseIterable {
        /// The collection or one request took longer than allowed.
        case timeout
        /// An HTTP status the collector does not map to something better.
        case http
        /// Credentials rejected or a permission missing (401/403 and kin).
        case auth
        /// The provider said slow down (429), or its `Retry-After` has not passed.
        case rateLimited = "rate_limited"
        /// The response was not what the API documents.
        case decode
        /// The provider answered with an error of its own (e.g. `success: false`).
        case apiError = "api_error"
        /// No HTTP answer at all: DNS, connect, TLS, reset.
        case network
        /// A bug or an unexpected state in the exporter itself.
        case `internal`
    }

    public var reason: Reason
    public var message: String
    /// The upstream HTTP status, when there was one.
    public var statusCode: Int?

    public init(_ reason: Reason, _ message: String, statusCode: Int? = nil) {
        self.reason = reason
        self.message = message
        self.statusCode = statusCode
    }

    public var description: String {
        if let statusCode {
            return "\(reason.rawValue) (HTTP \(statusCode)): \(message)"
        }
        return "\(reason.rawValue): \(message)"
    }
}

extension CollectorError {
    /// The same error with every occurrence of `secrets` in its message
    /// replaced, for providers whose error bodies could echo a request back
    /// (a proxy, a misbehaving server): the message is logged and shown.
    public func redacting(_ secrets: [String]) -> CollectorError {
        var redacted = self
        redacted.message = message.redacting(secrets)
        return redacted
    }
}

extension String {
    /// This text with every occurrence of `secrets` replaced by `<redacted>`.
    public func redacting(_ secrets: [String]) -> String {
        var text = self
        for secret in secrets where !secret.isEmpty {
            text = text.replacingBytes(of: secret, with: "<redacted>")
        }
        return text
    }
}
