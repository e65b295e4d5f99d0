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

    /// A strict reader over `value`, registered with the owning reader so the
    /// owner's `finish()` also reports unknown keys inside it.
    public func object(_ value: JSONValue) throws(ConfigError) -> ConfigObject {
        let object = try ConfigObject(value, path: path, environment: environment)
        owner?.adopt(object)
        return object
    }
}

@available(*, unavailable, message: "a ConfigContext belongs to one decoding pass on one thread")
extension ConfigContext: Sendable {}
