import QuotaConfig

/// The configuration file: YAML or JSON, told apart by content, not by
/// the file's name.
///
/// JSON when the first character after an optional byte order mark and
/// white space is `{`, `[` or `/` (a `//` comment, which JSON refuses with
/// its own message), or when there is nothing but white space; YAML
/// otherwise. So every file that was read as JSON before still is, with
/// exactly the same errors (a trailing comma or an unquoted key stays a
/// JSON error rather than becoming valid YAML flow syntax). A YAML file
/// whose top level is a flow mapping (`{a: 1}`) needs a comment or `---`
/// before it; a YAML configuration is a block mapping almost always.
public enum ConfigFile {
    public enum Format: Sendable, Equatable {
        case json
        case yaml
    }

    public static func format(of bytes: [UInt8]) -> Format {
        var index = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                index += 1
            case UInt8(ascii: "{"), UInt8(ascii: "["), UInt8(ascii: "/"):
                return .json
            default:
                return .yaml
            }
        }
        return .json
    }

    /// Parses a whole configuration document of either format; its top
    /// level must be a mapping. A YAML document's reader carries its
    /// `sourceMap`, so errors can name lines (`ConfigSourceMap.locate`).
    public static func parse(_ bytes: [UInt8], environment: ConfigEnvironment = .process) throws(ConfigError) -> ConfigObject {
        switch format(of: bytes) {
        case .json:
            return try ConfigObject.parse(bytes, environment: environment)
        case .yaml:
            let document: YAMLDocument
            do {
                document = try YAMLParser().parseDocument(bytes)
            } catch {
                throw ConfigError(path: "", message: "invalid YAML at \(error)")
            }
            return try ConfigObject(document.value, environment: environment, sourceMap: document.sourceMap)
        }
    }

    /// Reads and parses the configuration file at `path`.
    public static func load(file path: String, environment: ConfigEnvironment = .process) throws(ConfigError) -> ConfigObject {
        try ConfigObject.load(file: path, environment: environment, parser: { bytes, environment throws(ConfigError) in
            try parse(bytes, environment: environment)
        })
    }
}
