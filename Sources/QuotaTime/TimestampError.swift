/// Why a timestamp was refused. The text says what is wrong and quotes at
/// most a short prefix of the input with only printable ASCII kept, because
/// the input comes from outside (a provider, a config file where a secret
/// may have landed in the wrong field) and the message reaches logs and the
/// status page. Callers put the field's name in front.
public struct TimestampError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String

    init(_ reason: String, in input: TimestampInput) {
        description = "\(reason) (in \(TimestampInput.quote(input.bytes)))"
    }

    /// Longest prefix of the input an error quotes.
    static let quotedPrefixLength = 32
}
