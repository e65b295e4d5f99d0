import QuotaConfig
import QuotaConfig
import QuotaCrypto

/// Signs a request with an access key pair the way Huawei Cloud's SDKs do
/// (SDK-HMAC-SHA256): a pure function of the request, the keys and the time,
/// so it can be checked against fixed vectors and an independent
/// implementation.
///
///     StringToSign = "SDK-HMAC-SHA256\n" + X-Sdk-Date + "\n" + hex(SHA256(canonical request))
///     Signature    = hex(HMAC-SHA256(key: SK bytes, StringToSign))
///     Authorization: SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<h1;h2>, Signature=<hex>
///
/// The signature is a credential for about 15 minutes: callers must not log
/// the `Authorization` header, and nothing here does.
public enum SDKSigner {
    public static let algorithm = "SDK-HMAC-SHA256"
    public static let dateHeader = "X-Sdk-Date"

    /// The headers to add to the request: `X-Sdk-Date` and `Authorization`.
    ///
    /// - Parameter headers: the headers that will be sent and are to be
    ///   signed, including `Host` (as the server will see it: `host[:port]`),
    ///   `X-Project-Id` and `X-Security-Token` when used. Any `X-Sdk-Date`
    ///   given is replaced by one made from `date`.
    public static func sign(
        method: String,
        url: HTTPURL,
        headers: [(name: String, value: String)],
        body: [UInt8],
        accessKey: String,
        secretKey: Secret,
        date: Double
    ) -> [(name: String, value: String)] {
        let sdkDate = SDKDate.format(date)
        var signed = headers.filter { $0.name.lowercased() != dateHeader.lowercased() }
        signed.append((name: dateHeader, value: sdkDate))
        let canonical = SDKCanonicalRequest(method: method, url: url, headers: signed, body: body)
        let signature = self.signature(canonical, sdkDate: sdkDate, secretKey: secretKey)
        let authorization = "\(algorithm) Access=\(accessKey), SignedHeaders=\(canonical.signedHeaders), Signature=\(signature)"
        return [(name: dateHeader, value: sdkDate), (name: "Authorization", value: authorization)]
    }

    public static func stringToSign(_ canonical: SDKCanonicalRequest, sdkDate: String) -> String {
        "\(algorithm)\n\(sdkDate)\n\(hex(SHA256.hash(canonical.text.utf8)))"
    }

    /// Lowercase hex of the HMAC; the raw SK bytes are the key (no derivation).
    public static func signature(_ canonical: SDKCanonicalRequest, sdkDate: String, secretKey: Secret) -> String {
        hex(HMACSHA256.authenticationCode(key: Array(secretKey.revealed.utf8), message: Array(stringToSign(canonical, sdkDate: sdkDate).utf8)))
    }
}
