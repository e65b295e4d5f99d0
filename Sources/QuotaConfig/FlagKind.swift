/// What a command-line flag holds, with its default.
public enum FlagKind: Sendable, Equatable {
    /// `--name=value` or `--name value`; nil default means "not set".
    case string(default: String?)
    /// `--name`, `--no-name`, `--name=true|false`.
    case bool(default: Bool)
    /// A string that may be given many times; all values in order. The
    /// default applies only when the flag is not given at all, so giving it
    /// replaces the default rather than adding to it.
    case repeatable(default: [String])
    /// A Prometheus duration such as `30s` or `1h30m`.
    case duration(default: Duration?)
}
