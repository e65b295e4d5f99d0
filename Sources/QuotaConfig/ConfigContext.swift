/// What a `ConfigType` needs to decode one value: where the value is (for
/// error messages), the environment (for secrets and files), and the reader
/// that owns it (so nested readers are checked by its `finish()`).
public struct ConfigContext {
    /// The value's location, such as `targets[0].labels`.
    public let path: String
    public let environment: ConfigEnvironment
    let owner: ConfigObject?

    init(path: String, environment: ConfigEnvironment, owner: ConfigObject?) {
        self.path = path
        self.environment = environment
        self.owner = owner
    }

    /// An error at this value's path.
    public func error(_ message: String) -> ConfigError {
        ConfigError(path: path, message: message)
    }

    /// `expected <what>, found <type of value>`; the value itself is never
    /// quoted, in case it is a secret in the wrong place.
    public func typeMismatch(expected: String, found value: JSONValue) -> ConfigError {
        error("expected \(expected), found \(value.typeDescription)")
    }

    /// The context of array element `index` of this value.
    public func element(_ index: Int) -> ConfigContext {
        ConfigContext(path: ConfigPath.element(index, of: path), environment: environment, owner: owner)
    }

    /// The context of member `key` of this value.
    public func member(_ key: String) -> ConfigContext {
        ConfigContext(path: ConfigPath.member(key, of: path), environment: environment, owner: owner)
    }

    /// Where the document's fields were written; nil for JSON documents.
    public var sourceMap: ConfigSourceMap? {
        owner?.sourceMap
    }

    /// The text of a value meant as a string: a string, or, in a YAML
    /// document, an unquoted integer whose text is exactly its decimal
    /// form (`account: 1234`), since quoting digits is easy to forget and
    /// nothing is lost. Nil for everything else.
    public func text(of value: JSONValue) -> String? {
        switch value {
        case .string(let text):
            return text
        case .number(let number):
            guard let written = sourceMap?.plainNumberText(at: path), written == number.literal,
                !number.literal.contains(where: { $0 == "." || $0 == "e" || $0 == "E" })
            else { return nil }
            return written
        default:
            return nil
        }
    }

    /// `expected <what>, found <type>` for a value that should have been a
    /// string; in a YAML document it says how to make it one. The value
    /// itself is never quoted.
    public func stringMismatch(expected: String, found value: JSONValue) -> ConfigError {
        let mismatch = typeMismatch(expected: expected, found: value)
        guard sourceMap != nil else { return mismatch }
        switch value {
        case .number:
            return error(mismatch.message + " (YAML reads an unquoted value with a sign, leading zeros, 0x, 0o, a fraction or an exponent as a number that does not keep its text: put it in quotes)")
        case .bool, .null:
            return error(mismatch.message + " (YAML reads unquoted true, false, null, ~ and an empty value this way: put it in quotes)")
        default:
            return mismatch
        }
    }

    /// A strict reader over `value`, registered with the owning reader so the
    /// owner's `finish()` also reports unknown keys inside it.
    public func object(_ value: JSONValue) throws(ConfigError) -> ConfigObject {
        let object = try ConfigObject(value, path: path, environment: environment, sourceMap: sourceMap)
        owner?.adopt(object)
        return object
    }
}

@available(*, unavailable, message: "a ConfigContext belongs to one decoding pass on one thread")
extension ConfigContext: Sendable {}
