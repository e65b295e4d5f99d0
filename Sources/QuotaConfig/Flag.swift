/// One declared command-line flag, e.g. `--web.listen-address=ADDRESS`.
public struct Flag: Sendable {
    /// The long name without dashes, e.g. `web.listen-address`.
    public let name: String
    /// An optional one-letter alias such as `h` for `-h`.
    public let short: Character?
    public let kind: FlagKind
    /// The word after `=` in the help text, e.g. `ADDRESS`.
    public let placeholder: String
    public let help: String

    /// Without a placeholder, the last word of the name in capitals is
    /// used: `web.listen-address` shows as `--web.listen-address=ADDRESS`.
    public init(_ name: String, short: Character? = nil, kind: FlagKind, placeholder: String? = nil, help: String) {
        precondition(!name.isEmpty && !name.hasPrefix("-") && !name.contains("="), "invalid flag name \(name)")
        self.name = name
        self.short = short
        self.kind = kind
        self.placeholder = placeholder ?? Self.defaultPlaceholder(for: name)
        self.help = help
    }

    private static func defaultPlaceholder(for name: String) -> String {
        let lastWord = name.split(whereSeparator: { $0 == "." || $0 == "-" || $0 == "_" }).last ?? Substring(name)
        return lastWord.uppercased()
    }

    var isBool: Bool {
        if case .bool = kind { return true }
        return false
    }

    var isRepeatable: Bool {
        if case .repeatable = kind { return true }
        return false
    }
}
