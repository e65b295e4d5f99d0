extension ConfigType where Value == HTTPURL {
    /// An absolute `http` or `https` URL with a host. The text is not
    /// repeated in errors because URLs can carry credentials (`user:pass@`).
    public static var url: ConfigType<HTTPURL> {
        ConfigType<String>.string.map { text, context throws(ConfigError) in
            guard let url = HTTPURL(string: text) else {
                throw context.error("expected an absolute http:// or https:// URL with a host")
            }
            return url
        }
    }
}
