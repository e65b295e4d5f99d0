/// A JSON number kept as its literal text.
///
/// Converting every number to `Double` would silently round integers above
/// 2^53 (quota counters, account IDs). Keeping the text lets each caller ask
/// for the exact representation it needs and get `nil` when it does not fit.
///
/// Two numbers are equal when their literal text is equal, so `1` and `1.0`
/// differ; compare `doubleValue` when numeric equality is meant.
public struct JSONNumber: Sendable, Hashable, CustomStringConvertible {
    /// The number exactly as written, always valid RFC 8259 number syntax.
    public let literal: String

    /// Only for text already checked against the JSON number grammar.
    init(validatedLiteral: String) {
        self.literal = validatedLiteral
    }

    /// Accepts `literal` only if it is a valid JSON number such as `-12`,
    /// `0.5` or `1e400`; rejects `NaN`, `+1`, `01`, `.5` and surrounding spaces.
    public init?(literal: String) {
        guard case .number(let number)? = try? JSONParser().parse(literal), number.literal == literal else {
            return nil
        }
        self = number
    }

    public init(_ value: Int) {
        self.literal = String(value)
    }

    public init(_ value: Int64) {
        self.literal = String(value)
    }

    public init(_ value: UInt64) {
        self.literal = String(value)
    }

    /// Nil for NaN and infinities, which JSON cannot represent.
    public init?(_ value: Double) {
        guard value.isFinite else { return nil }
        // Swift prints finite doubles as e.g. `1.5`, `1e-07` or `5e+20`, all valid JSON.
        self.literal = String(value)
    }

    /// The nearest finite `Double`; nil when the number overflows (`1e400`).
    public var doubleValue: Double? {
        guard let value = Double(literal), value.isFinite else { return nil }
        return value
    }

    /// Exact only: nil for fractions, exponents and out-of-range integers.
    public var int64Value: Int64? {
        Int64(literal)
    }

    /// Exact only: nil for negatives (`-0` too), fractions, exponents and
    /// out-of-range integers.
    public var uint64Value: UInt64? {
        literal.hasPrefix("-") ? nil : UInt64(literal)
    }

    /// Exact only: nil for fractions, exponents and out-of-range integers.
    public var intValue: Int? {
        Int(literal)
    }

    public var description: String {
        literal
    }
}
