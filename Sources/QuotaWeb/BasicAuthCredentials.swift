import QuotaCrypto

/// The user and password of an `Authorization: Basic` header (RFC 7617),
/// read as Go's `Request.BasicAuth` reads it, so what Prometheus and curl
/// send works as it does against exporter-toolkit: the scheme in any case,
/// one space, strict padded base64, the user up to the first colon.
///
/// Anything else (another scheme, bad base64, no colon) is no credentials
/// at all, which the gate answers with 401; it never traps.
public struct BasicAuthCredentials: Sendable, Equatable {
    public var user: [UInt8]
    /// Never logged or printed.
    public var password: [UInt8]

    public init(user: [UInt8], password: [UInt8]) {
        self.user = user
        self.password = password
    }

    /// An `Authorization` header value is at most a request head (8 KiB);
    /// this bound keeps decoding cheap even if that cap ever grows.
    static let maxHeaderBytes = 16 << 10

    public static func parse(_ header: String) -> BasicAuthCredentials? {
        let bytes = Array(header.utf8)
        let scheme = Array("basic ".utf8)
        guard bytes.count > scheme.count, bytes.count <= maxHeaderBytes else { return nil }
        for index in scheme.indices where lowercased(bytes[index]) != scheme[index] {
            return nil
        }
        let encoded = String(decoding: bytes[scheme.count...], as: UTF8.self)
        guard let decoded = Base64.decode(encoded), let colon = decoded.firstIndex(of: UInt8(ascii: ":")) else {
            return nil
        }
        return BasicAuthCredentials(user: Array(decoded[..<colon]), password: Array(decoded[(colon + 1)...]))
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
    }
}
