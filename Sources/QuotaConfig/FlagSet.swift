/// Command-line flags in the Prometheus (kingpin) style.
///
///     var flags = FlagSet()
///     flags.bool("help", short: "h", help: "Show this help and exit.")
///     flags.repeatable("web.listen-address", default: [":9185"], help: "Address to listen on.")
///     flags.duration("scrape.timeout", default: .seconds(10), help: "Upstream request timeout.")
///     let parsed = try flags.parse(Array(CommandLine.arguments.dropFirst()))
///
/// Accepted: `--name=value`, `--name value`, `--bool`, `--no-bool`,
/// `--bool=true|false`, declared one-letter aliases (`-h`), and `--`
/// (after which nothing may follow). A value given as a separate argument
/// must not start with `-`; `--name=-value` is the way to pass one, so a
/// forgotten value is not silently filled with the next flag.
/// Positional arguments are errors: this program takes only flags.
public struct FlagSet: Sendable {
    public private(set) var flags: [Flag] = []

    public init() {}

    /// - Precondition: the name and short alias are not already declared.
    public mutating func add(_ flag: Flag) {
        precondition(self.flag(named: flag.name) == nil, "flag --\(flag.name) declared twice")
        precondition(flag.short == nil || !flags.contains { $0.short == flag.short }, "short flag -\(flag.short!) declared twice")
        flags.append(flag)
    }

    public mutating func string(_ name: String, default value: String? = nil, placeholder: String? = nil, help: String) {
        add(Flag(name, kind: .string(default: value), placeholder: placeholder, help: help))
    }

    public mutating func bool(_ name: String, short: Character? = nil, default value: Bool = false, help: String) {
        add(Flag(name, short: short, kind: .bool(default: value), help: help))
    }

    public mutating func repeatable(_ name: String, default values: [String] = [], placeholder: String? = nil, help: String) {
        add(Flag(name, kind: .repeatable(default: values), placeholder: placeholder, help: help))
    }

    public mutating func duration(_ name: String, default value: Duration? = nil, placeholder: String? = nil, help: String) {
        add(Flag(name, kind: .duration(default: value), placeholder: placeholder, help: help))
    }

    /// Parses the arguments after the program name.
    public func parse(_ arguments: [String]) throws(FlagError) -> ParsedFlags {
        var given: [String: ParsedFlags.Value] = [:]
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if argument == "--" {
                if index < arguments.count { throw Self.unexpectedArgument(arguments[index]) }
                break
            }
            let (flag, inlineValue, negated) = try resolve(argument)
            let value: ParsedFlags.Value
            if flag.isBool {
                value = .bool(try Self.boolValue(flag, inlineValue: inlineValue, negated: negated))
            } else {
                let text = if let inlineValue { inlineValue } else { try Self.takeSeparateValue(for: flag, from: arguments, at: &index) }
                value = try Self.value(of: flag, text: text, appendingTo: given[flag.name])
            }
            if given[flag.name] != nil, !flag.isRepeatable {
                throw FlagError("flag --\(flag.name) was given more than once")
            }
            given[flag.name] = value
        }
        var values: [String: ParsedFlags.Value] = [:]
        for flag in flags {
            values[flag.name] = given[flag.name] ?? Self.defaultValue(of: flag)
        }
        return ParsedFlags(values: values, given: Set(given.keys))
    }

    // MARK: Parsing steps

    /// Finds the declared flag an argument names, with its `=value` part and
    /// whether it was spelled `--no-name`.
    private func resolve(_ argument: String) throws(FlagError) -> (flag: Flag, inlineValue: String?, negated: Bool) {
        if argument.hasPrefix("--") {
            let body = argument.dropFirst(2)
            let name = String(body.prefix { $0 != "=" })
            let inlineValue = body.contains("=") ? String(body.drop { $0 != "=" }.dropFirst()) : nil
            if let flag = flag(named: name) {
                return (flag, inlineValue, false)
            }
            if name.hasPrefix("no-"), let flag = flag(named: String(name.dropFirst(3))) {
                guard flag.isBool else { throw FlagError("--\(name): --\(flag.name) is not a boolean flag") }
                guard inlineValue == nil else { throw FlagError("--\(name) does not take a value") }
                return (flag, nil, true)
            }
            throw unknownFlag("--" + name, typedName: name)
        }
        if argument.hasPrefix("-"), argument.count > 1 {
            let body = argument.dropFirst()
            if body.count == 1, let flag = flags.first(where: { $0.short == body.first }) {
                return (flag, nil, false)
            }
            throw unknownFlag(argument, typedName: String(body.prefix { $0 != "=" }))
        }
        throw Self.unexpectedArgument(argument)
    }

    /// The argument after `--name`, unless there is none or it looks like
    /// another flag (a lone `-` is a value, conventionally standard input).
    private static func takeSeparateValue(for flag: Flag, from arguments: [String], at index: inout Int) throws(FlagError)
        -> String
    {
        guard index < arguments.count, !arguments[index].hasPrefix("-") || arguments[index] == "-" else {
            throw FlagError("missing value for --\(flag.name) (use --\(flag.name)=\(flag.placeholder))")
        }
        index += 1
        return arguments[index - 1]
    }

    private func unknownFlag(_ spelling: String, typedName: String) -> FlagError {
        let names = flags.map(\.name) + flags.filter(\.isBool).map { "no-" + $0.name }
        guard let suggestion = Suggestion.closest(to: typedName, among: names) else {
            return FlagError("unknown flag \(spelling)")
        }
        return FlagError("unknown flag \(spelling), did you mean --\(suggestion)?")
    }

    private static func unexpectedArgument(_ argument: String) -> FlagError {
        FlagError("unexpected argument \(QuotedValue.quote(argument)) (this program takes only flags)")
    }

    private static func boolValue(_ flag: Flag, inlineValue: String?, negated: Bool) throws(FlagError) -> Bool {
        guard let inlineValue else { return !negated }
        guard let value = Bool(inlineValue) else {
            throw FlagError("invalid value \(QuotedValue.quote(inlineValue)) for --\(flag.name): expected true or false")
        }
        return value
    }

    private static func value(of flag: Flag, text: String, appendingTo previous: ParsedFlags.Value?) throws(FlagError)
        -> ParsedFlags.Value
    {
        switch flag.kind {
        case .string:
            return .string(text)
        case .repeatable:
            guard case .strings(let earlier)? = previous else { return .strings([text]) }
            return .strings(earlier + [text])
        case .duration:
            switch Duration.parsePrometheus(text) {
            case .valid(let duration):
                return .duration(duration)
            case .tooLarge:
                throw FlagError("duration \(QuotedValue.quote(text)) for --\(flag.name) is too large (at most \(Duration.maxPrometheus.prometheusText))")
            case .invalid:
                throw FlagError("invalid duration \(QuotedValue.quote(text)) for --\(flag.name) (expected e.g. 30s, 5m, 1h30m)")
            }
        case .bool:
            preconditionFailure("bool flags are handled by boolValue")
        }
    }

    private static func defaultValue(of flag: Flag) -> ParsedFlags.Value {
        switch flag.kind {
        case .string(let value): return .string(value)
        case .bool(let value): return .bool(value)
        case .repeatable(let values): return .strings(values)
        case .duration(let value): return .duration(value)
        }
    }

    func flag(named name: String) -> Flag? {
        flags.first { $0.name == name }
    }
}
