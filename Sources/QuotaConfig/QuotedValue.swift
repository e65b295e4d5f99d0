/// How a configuration error shows a value that failed to parse.
///
/// A secret pasted into the wrong field (a duration, a one-of, a key name)
/// must not come back in the error, which reaches the log, the `/-/reload`
/// answer and the status page. So a value is quoted only as a short
/// prefix, printable ASCII only: enough to find the line, not enough to
/// recover a token.
public enum QuotedValue {
    /// At most this many characters of a value are shown.
    public static let maxCharacters = 12

    /// `"30sec"`, or `"sk_live_abcd"… (40 characters)` for a longer value;
    /// control and non-ASCII characters show as `?`.
    public static func quote(_ text: some StringProtocol) -> String {
        var shown = ""
        var count = 0
        for character in text {
            count += 1
            guard count <= maxCharacters else { continue }
            if let ascii = character.asciiValue, ascii >= 0x20, ascii < 0x7F {
                shown.append(character)
            } else {
                shown.append("?")
            }
        }
        return count > maxCharacters ? "\"\(shown)\"… (\(count) characters)" : "\"\(shown)\""
    }
}
