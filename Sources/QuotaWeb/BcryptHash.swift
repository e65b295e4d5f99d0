/// A bcrypt hash as `basic_auth_users` holds it, e.g.
/// `$2y$10$` + 22 characters of salt + 31 of hash (60 in all), checked at
/// load so a typo or a hash of another kind (`$6$`, `$apr1$`, a plain
/// password) is a configuration error rather than a user who can never
/// log in. exporter-toolkit refuses those too (Go's `bcrypt.Cost`).
///
/// `$2a$`, `$2b$` and `$2y$` are the same algorithm for every password a
/// user can type; `$2x$` (the variant kept for hashes made by the buggy
/// pre-2011 code) is refused, as Go's bcrypt would make no sense of it.
public struct BcryptHash: Sendable, Hashable, CustomStringConvertible {
    /// The whole hash, which is not secret in the way a password is, but is
    /// still never logged: it is enough for an offline guessing attack.
    public let text: String
    public let cost: Int

    public static let variants: Set<String> = ["2a", "2b", "2y"]

    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 60, bytes[0] == UInt8(ascii: "$"), bytes[3] == UInt8(ascii: "$"), bytes[6] == UInt8(ascii: "$"),
              Self.variants.contains(String(decoding: bytes[1...2], as: UTF8.self)),
              let tens = Self.digit(bytes[4]), let units = Self.digit(bytes[5]),
              (4...31).contains(tens * 10 + units),
              bytes[7...].allSatisfy(Self.isBcryptBase64)
        else { return nil }
        self.text = text
        self.cost = tens * 10 + units
    }

    public var description: String { "bcrypt hash (cost \(cost))" }

    private static func digit(_ byte: UInt8) -> Int? {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? Int(byte - UInt8(ascii: "0")) : nil
    }

    /// bcrypt's own base64 alphabet: `./A-Za-z0-9`.
    private static func isBcryptBase64(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "."), UInt8(ascii: "/"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            false
        }
    }
}
