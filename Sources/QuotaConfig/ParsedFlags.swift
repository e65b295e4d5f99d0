/// The result of `FlagSet.parse`: every declared flag's value, defaults
/// filled in.
///
/// Asking for an undeclared flag, or with the wrong kind, is a programming
/// error and traps, so a renamed flag cannot silently read as unset.
public struct ParsedFlags: Sendable {
    enum Value: Sendable, Equatable {
        case string(String?)
        case bool(Bool)
        case strings([String])
        case duration(Duration?)
    }

    let values: [String: Value]
    /// Flags that appeared on the command line, as opposed to defaulted.
    let given: Set<String>

    public func string(_ name: String) -> String? {
        guard case .string(let value) = lookup(name) else { preconditionFailure("--\(name) is not a string flag") }
        return value
    }

    public func bool(_ name: String) -> Bool {
        guard case .bool(let value) = lookup(name) else { preconditionFailure("--\(name) is not a bool flag") }
        return value
    }

    /// The values of a repeatable flag, in command-line order.
    public func strings(_ name: String) -> [String] {
        guard case .strings(let value) = lookup(name) else { preconditionFailure("--\(name) is not a repeatable flag") }
        return value
    }

    public func duration(_ name: String) -> Duration? {
        guard case .duration(let value) = lookup(name) else { preconditionFailure("--\(name) is not a duration flag") }
        return value
    }

    /// Whether the flag was given on the command line (even if equal to its default).
    public func isSet(_ name: String) -> Bool {
        _ = lookup(name)
        return given.contains(name)
    }

    private func lookup(_ name: String) -> Value {
        guard let value = values[name] else { preconditionFailure("flag --\(name) was never declared") }
        return value
    }
}
