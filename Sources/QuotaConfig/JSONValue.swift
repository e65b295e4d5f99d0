/// One JSON value, as parsed by `JSONParser` or built in code for a request body.
///
/// Numbers keep their literal text (see `JSONNumber`) so that account IDs and
/// byte counts larger than 2^53 survive a round trip exactly. Objects keep
/// their keys in document order (see `JSONObject`) so error messages and
/// serialized request bodies read the way they were written.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)
}

// MARK: - Lenient lookups
//
// Upstream API responses are decoded leniently: a missing or mistyped field
// gives `nil` rather than an error, and the provider decides what that means.

extension JSONValue {
    /// The member `key` when this is an object that has it; otherwise nil.
    public subscript(key: String) -> JSONValue? {
        objectValue?[key]
    }

    /// The element at `index` when this is an array long enough; otherwise nil.
    public subscript(index: Int) -> JSONValue? {
        guard case .array(let elements) = self, elements.indices.contains(index) else { return nil }
        return elements[index]
    }

    public var isNull: Bool {
        self == .null
    }

    public var boolValue: Bool? {
        guard case .bool(let value) = self else { return nil }
        return value
    }

    public var stringValue: String? {
        guard case .string(let value) = self else { return nil }
        return value
    }

    public var numberValue: JSONNumber? {
        guard case .number(let value) = self else { return nil }
        return value
    }

    /// The number as a finite `Double`; nil for non-numbers and for numbers
    /// too large for a `Double` (such as `1e400`).
    public var doubleValue: Double? {
        numberValue?.doubleValue
    }

    /// The number as an exact `Int64`; nil unless it is an integer literal in range.
    public var int64Value: Int64? {
        numberValue?.int64Value
    }

    /// The number as an exact `UInt64`; nil unless it is a non-negative integer literal in range.
    public var uint64Value: UInt64? {
        numberValue?.uint64Value
    }

    /// The number as an exact `Int`; nil unless it is an integer literal in range.
    public var intValue: Int? {
        numberValue?.intValue
    }

    public var arrayValue: [JSONValue]? {
        guard case .array(let value) = self else { return nil }
        return value
    }

    public var objectValue: JSONObject? {
        guard case .object(let value) = self else { return nil }
        return value
    }

    /// What kind of value this is, with an article, for messages such as
    /// `expected a string, found a number`. It never includes the value
    /// itself, so a misplaced secret cannot leak through a type error.
    public var typeDescription: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

// MARK: - Literals, so request bodies read like the JSON they produce

extension JSONValue: ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(booleanLiteral value: Bool) {
        self = .bool(value)
    }

    public init(integerLiteral value: Int) {
        self = .number(JSONNumber(value))
    }

    /// Float literals are always finite unless absurdly large, which is a programming error.
    public init(floatLiteral value: Double) {
        guard let number = JSONNumber(value) else {
            preconditionFailure("JSON cannot represent the float literal \(value)")
        }
        self = .number(number)
    }

    public init(stringLiteral value: String) {
        self = .string(value)
    }

    public init(arrayLiteral elements: JSONValue...) {
        self = .array(elements)
    }

    /// Keys stay in the order written; duplicate keys are a programming error.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(JSONObject(elements.map { (key: $0.0, value: $0.1) }))
    }
}
