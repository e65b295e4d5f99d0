/// How to decode and check one configuration value of type `Value`.
///
/// The built-in types (`.string`, `.int(in:)`, `.duration`, `.url`,
/// `.labels(reserved:)`, `.object`, `.array(of:)`, ...) cover the common
/// cases; a provider can define its own with `init(decode:)`, calling
/// `context.error(...)` so its messages carry the field path too.
///
///     let accountID = try target.required("account_id", .nonEmptyString)
///     let timeout = try target.optional("timeout", .duration) ?? .seconds(10)
public struct ConfigType<Value>: Sendable {
    let decode: @Sendable (JSONValue, ConfigContext) throws(ConfigError) -> Value

    public init(decode: @escaping @Sendable (_ value: JSONValue, _ context: ConfigContext) throws(ConfigError) -> Value) {
        self.decode = decode
    }

    /// Decodes `value` found at `context.path`.
    public func decode(_ value: JSONValue, in context: ConfigContext) throws(ConfigError) -> Value {
        try decode(value, context)
    }

    /// Decodes with this type, then applies a further check or conversion
    /// that may reject the value with `context.error(...)`.
    public func map<Mapped>(
        _ transform: @escaping @Sendable (Value, ConfigContext) throws(ConfigError) -> Mapped
    ) -> ConfigType<Mapped> {
        ConfigType<Mapped> { value, context throws(ConfigError) in
            try transform(try self.decode(value, context), context)
        }
    }
}
