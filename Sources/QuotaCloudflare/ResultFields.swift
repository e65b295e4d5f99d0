import QuotaCollection
import QuotaConfig
import QuotaTime

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

    /// A finite number; `1e400` (beyond `Double`) is an error naming the
    /// field rather than a missing value or infinity.
    func number(_ key: String) throws(CollectorError) -> Double? {
        guard let field = present(key) else { return nil }
        guard let number = field.numberValue else { throw mismatch(key, "a number", field) }
        guard let value = number.doubleValue else {
            throw CollectorError(.decode, "\(path).\(key): number \(QuotedValue.quote(number.literal)) is out of range")
        }
        return value
    }

    /// A count or an amount: finite and not negative.
    func nonNegativeNumber(_ key: String) throws(CollectorError) -> Double? {
        guard let value = try number(key) else { return nil }
        guard value >= 0 else {
            throw CollectorError(.decode, "\(path).\(key): expected a number of at least 0, found \(QuotedValue.quote(String(value)))")
        }
        return value
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
        let seconds: Double
        do {
            seconds = try RFC3339.parse(text)
        } catch {
            throw CollectorError(.decode, "\(path).\(key): not an RFC 3339 date-time (\(error))")
        }
        return (seconds * 1000).rounded() / 1000
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
