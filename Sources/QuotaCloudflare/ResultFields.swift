import QuotaCollection
import QuotaConfig

/// Lenient, typed access to an object in a Cloudflare response.
///
/// A field that is absent or `null` is `nil`: Cloudflare leaves out what
/// does not apply (Workers Builds on paid plans). A field that is present
/// with the wrong type is a `decode` error naming it, because silently
/// dropping it would hide an API change behind a gap in the graphs.
struct ResultFields {
    let value: JSONValue
    /// Where this object is, for error messages, e.g. `result.config`.
    let path: String

    /// Nil unless `value` is an object.
    init?(_ value: JSONValue, path: String) {
        guard value.objectValue != nil else { return nil }
        self.value = value
        self.path = path
    }

    func number(_ key: String) throws(CollectorError) -> Double? {
        guard let field = present(key) else { return nil }
        guard let number = field.doubleValue else { throw mismatch(key, "a number", field) }
        return number
    }

    func bool(_ key: String) throws(CollectorError) -> Bool? {
        guard let field = present(key) else { return nil }
        guard let flag = field.boolValue else { throw mismatch(key, "a boolean", field) }
        return flag
    }

    func string(_ key: String) throws(CollectorError) -> String? {
        guard let field = present(key) else { return nil }
        guard let text = field.stringValue else { throw mismatch(key, "a string", field) }
        return text
    }

    /// An RFC 3339 date-time, with or without fractional seconds, as Unix
    /// seconds rounded to the millisecond (Cloudflare's precision), so that
    /// `...19.117Z` exports as `...279.117`, not `...279.11700010299683`.
    func timestamp(_ key: String) throws(CollectorError) -> Double? {
        guard let text = try string(key) else { return nil }
        guard let date = RFC3339.parse(text) else {
            throw CollectorError(.decode, "\(path).\(key) is not an RFC 3339 date-time: \"\(text.prefix(64))\"")
        }
        return (date.timeIntervalSince1970 * 1000).rounded() / 1000
    }

    func object(_ key: String) throws(CollectorError) -> ResultFields? {
        guard let field = present(key) else { return nil }
        guard let nested = ResultFields(field, path: "\(path).\(key)") else { throw mismatch(key, "an object", field) }
        return nested
    }

    private func present(_ key: String) -> JSONValue? {
        guard let field = value[key], !field.isNull else { return nil }
        return field
    }

    private func mismatch(_ key: String, _ expected: String, _ found: JSONValue) -> CollectorError {
        CollectorError(.decode, "\(path).\(key): expected \(expected), found \(found.typeDescription)")
    }
}
