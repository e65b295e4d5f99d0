import Foundation

/// The URL-safe base64 alphabet without padding (RFC 4648 §5, RFC 7515 §2),
/// which JWTs use for all three of their parts.
public enum Base64URL {
    /// Encodes `bytes` with `-` and `_` in place of `+` and `/`, and no `=`.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var text = Data(bytes).base64EncodedString()
        text = text.replacingOccurrences(of: "+", with: "-")
        text = text.replacingOccurrences(of: "/", with: "_")
        while text.hasSuffix("=") { text.removeLast() }
        return text
    }

    /// Decodes unpadded base64url; `nil` if `text` contains anything else,
    /// including padding, whitespace or standard-alphabet `+` and `/`.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        guard text.utf8.allSatisfy(allowed.contains), text.utf8.count % 4 != 1 else { return nil }
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        standard.append(String(repeating: "=", count: (4 - standard.utf8.count % 4) % 4))
        return Data(base64Encoded: standard).map(Array.init)
    }
}
