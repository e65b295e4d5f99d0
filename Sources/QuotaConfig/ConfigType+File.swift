extension ConfigType where Value == String {
    /// A path to a regular file that can be read now, such as a CA bundle or
    /// a client key handed to curl later. Checked at load through the
    /// environment (`RegularFile`'s rules: no FIFO, no device), so a typo
    /// fails at start-up with the field's path instead of at the first
    /// request with curl's words; the path is not secret, the bytes are not kept.
    public static var readableFile: ConfigType<String> {
        ConfigType<String>.nonEmptyString.map { path, context throws(ConfigError) in
            do {
                _ = try context.environment.readFile(path)
            } catch {
                throw context.error("cannot read \"\(path)\": \(ConfigObject.reason(error))")
            }
            return path
        }
    }
}
