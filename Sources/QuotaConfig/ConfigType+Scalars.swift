extension ConfigType where Value == String {
    public static var string: ConfigType<String> {
        ConfigType { value, context throws(ConfigError) in
            guard let text = context.text(of: value) else { throw context.stringMismatch(expected: "a string", found: value) }
            return text
        }
    }

    /// A string with at least one non-whitespace character.
    public static var nonEmptyString: ConfigType<String> {
        string.map { text, context throws(ConfigError) in
            guard text.contains(where: { !$0.isWhitespace }) else { throw context.error("must not be empty") }
            return text
        }
    }

    /// One of a fixed set of strings, compared exactly.
    public static func oneOf(_ allowed: [String]) -> ConfigType<String> {
        let list = allowed.map { "\"\($0)\"" }.joined(separator: ", ")
        return ConfigType { value, context throws(ConfigError) in
            guard let text = context.text(of: value) else {
                throw context.stringMismatch(expected: "one of \(list)", found: value)
            }
            guard allowed.contains(text) else { throw context.error("expected one of \(list), found \(QuotedValue.quote(text))") }
            return text
        }
    }
}

extension ConfigType where Value: RawRepresentable & CaseIterable & Sendable, Value.RawValue == String {
    /// A case of a string-backed enum, e.g. `.oneOf(LogLevel.self)`.
    public static func oneOf(_ type: Value.Type) -> ConfigType<Value> {
        let cases = Value.allCases.map { (name: $0.rawValue, value: $0) }
        return ConfigType<String>.oneOf(cases.map(\.name)).map { text, _ in
            cases.first { $0.name == text }!.value  // oneOf(_:) admitted only these names
        }
    }
}

extension ConfigType where Value == Bool {
    /// Only JSON `true` and `false`; strings like `"yes"` are rejected.
    public static var bool: ConfigType<Bool> {
        ConfigType { value, context throws(ConfigError) in
            guard case .bool(let flag) = value else { throw context.typeMismatch(expected: "true or false", found: value) }
            return flag
        }
    }
}

extension ConfigType where Value == Int {
    /// An integer literal (no fraction or exponent) that fits in `Int`.
    public static var int: ConfigType<Int> {
        int(in: Int.min...Int.max)
    }

    public static func int(in range: ClosedRange<Int>) -> ConfigType<Int> {
        ConfigType { value, context throws(ConfigError) in
            guard case .number(let number) = value else { throw context.typeMismatch(expected: "an integer", found: value) }
            let isIntegerLiteral = !number.literal.contains { $0 == "." || $0 == "e" || $0 == "E" }
            guard isIntegerLiteral else { throw context.error("expected an integer, found \(QuotedValue.quote(number.literal))") }
            guard let integer = number.intValue, range.contains(integer) else {
                throw context.error("must be between \(range.lowerBound) and \(range.upperBound), found \(QuotedValue.quote(number.literal))")
            }
            return integer
        }
    }
}

extension ConfigType where Value == Double {
    /// Any finite number; `1e400` is rejected rather than becoming infinity.
    public static var double: ConfigType<Double> {
        ConfigType { value, context throws(ConfigError) in
            guard case .number(let number) = value else { throw context.typeMismatch(expected: "a number", found: value) }
            guard let double = number.doubleValue else { throw context.error("number \(QuotedValue.quote(number.literal)) is too large") }
            return double
        }
    }

    public static func double(in range: ClosedRange<Double>) -> ConfigType<Double> {
        double.map { double, context throws(ConfigError) in
            guard range.contains(double) else {
                throw context.error("must be between \(range.lowerBound) and \(range.upperBound), found \(double)")
            }
            return double
        }
    }
}

extension ConfigType where Value == Duration {
    /// A Prometheus duration string such as `"30s"`, `"5m"`, `"1h30m"`,
    /// `"500ms"` or `"1d"`. Bare numbers are rejected on purpose: whether
    /// `30` means seconds or milliseconds is exactly the ambiguity that
    /// causes 3 a.m. incidents.
    public static var duration: ConfigType<Duration> {
        ConfigType { value, context throws(ConfigError) in
            let example = "a duration string such as \"30s\", \"5m\" or \"1h30m\""
            guard case .string(let text) = value else { throw context.typeMismatch(expected: example, found: value) }
            switch Duration.parsePrometheus(text) {
            case .valid(let duration):
                return duration
            case .tooLarge:
                throw context.error("duration \(QuotedValue.quote(text)) is too large (at most \(Duration.maxPrometheus.prometheusText))")
            case .invalid:
                throw context.error("invalid duration \(QuotedValue.quote(text)) (expected \(example); units: ms, s, m, h, d, w, y)")
            }
        }
    }

    public static func duration(in range: ClosedRange<Duration>) -> ConfigType<Duration> {
        duration.map { duration, context throws(ConfigError) in
            guard range.contains(duration) else {
                let bounds = "\(range.lowerBound.prometheusText) and \(range.upperBound.prometheusText)"
                throw context.error("must be between \(bounds), found \(duration.prometheusText)")
            }
            return duration
        }
    }
}

extension ConfigType where Value == JSONValue {
    /// The raw value, unchecked, for parts decoded some other way.
    public static var json: ConfigType<JSONValue> {
        ConfigType { value, _ in value }
    }
}
