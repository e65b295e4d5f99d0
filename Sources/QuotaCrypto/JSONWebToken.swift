import QuotaConfig

/// Compact-serialised JSON Web Tokens signed with RS256 (RFC 7519, RFC 7515
/// §7.1, RFC 7518 §3.3).
///
/// Claims are taken and returned as already-serialised JSON bytes: the
/// caller owns the claim set, and signing exactly the bytes given avoids any
/// question of which JSON encoder produced what.
public enum JSONWebToken {
    /// `base64url(header).base64url(claims).base64url(signature)` with the
    /// header `{"alg":"RS256","typ":"JWT"}`, plus `"kid"` when `keyID` is
    /// given (ZITADEL uses it to pick the key to verify with).
    public static func signRS256(claimsJSON: [UInt8], key: RSAPrivateKey, keyID: String? = nil) throws(RSASigningError) -> String {
        var header = #"{"alg":"RS256","typ":"JWT""#
        if let keyID {
            header += #","kid":"# + jsonStringLiteral(keyID)
        }
        header += "}"
        let signingInput = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(claimsJSON)
        let signature = try key.signSHA256(Array(signingInput.utf8))
        return signingInput + "." + Base64URL.encode(signature)
    }

    /// The claims bytes of `token` if it is an RS256 JWT whose signature
    /// `key` verifies; otherwise `nil`.
    ///
    /// The header must say `"alg":"RS256"`: accepting whatever algorithm the
    /// token names is the classic JWT vulnerability ("alg":"none"). Expiry
    /// and other claims are the caller's to check.
    public static func verifyRS256(_ token: String, key: RSAPublicKey) -> [UInt8]? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
              let headerBytes = Base64URL.decode(parts[0]),
              let claims = Base64URL.decode(parts[1]),
              let signature = Base64URL.decode(parts[2]),
              case .object(let header)? = try? JSONParser().parse(headerBytes),
              header["alg"]?.stringValue == "RS256",
              header["crit"] == nil // RFC 7515 §4.1.11: unknown critical extensions must be rejected
        else { return nil }
        let signingInput = Array("\(parts[0]).\(parts[1])".utf8)
        guard key.verifySHA256(signature: signature, message: signingInput) else { return nil }
        return claims
    }

    /// `text` as a quoted JSON string (RFC 8259 §7), escaping quotes,
    /// backslashes and control characters.
    private static func jsonStringLiteral(_ text: String) -> String {
        var literal = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": literal += "\\\""
            case "\\": literal += "\\\\"
            case "\n": literal += "\\n"
            case "\r": literal += "\\r"
            case "\t": literal += "\\t"
            case _ where scalar.value < 0x20:
                let digits = String(scalar.value, radix: 16)
                literal += "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
            default: literal.unicodeScalars.append(scalar)
            }
        }
        return literal + "\""
    }
}
