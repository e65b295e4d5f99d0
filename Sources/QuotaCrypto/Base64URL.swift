/// The URL-safe base64 alphabet without padding (RFC 4648 §5, RFC 7515 §2),
/// which JWTs use for all three of their parts.
public enum Base64URL {
    /// Encodes `bytes` with `-` and `_` in place of `+` and `/`, and no `=`.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        Base64.encode(Array(bytes), alphabet: Base64.urlAlphabet, padding: false)
    }

    /// Decodes unpadded base64url; `nil` if `text` contains anything else,
    /// including padding, whitespace or standard-alphabet `+` and `/`.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        Base64.decode(Array(text.utf8), alphabet: Base64.urlAlphabet)
    }
}
