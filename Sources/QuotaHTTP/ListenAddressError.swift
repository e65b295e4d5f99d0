/// Why a listen address string was refused, naming the input so a bad
/// flag or config value is obvious at startup.
public struct ListenAddressError: Error, CustomStringConvertible, Sendable, Equatable {
    public let input: String
    public let reason: String

    public init(input: String, reason: String) {
        self.input = input
        self.reason = reason
    }

    public var description: String {
        "invalid listen address \"\(input)\": \(reason)"
    }
}
