import QuotaConfig
import QuotaText
import QuotaCrypto

/// The canonical request of Huawei Cloud's SDK-HMAC-SHA256 signature:
///
///     METHOD \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n hex(SHA256(body))
///
/// Each part is its own property so that a failing test can say which part
/// differs. The rules follow the official SDKs (Go `core/auth/signer`,
/// Python `huaweicloudsdkcore/signer`), which API Gateway mirrors:
///
/// - URI: the path is percent-decoded, split on `/`, each segment encoded
///   with `SDKPercentEncoding`, joined, and `/` appended unless it already
///   ends with one. The request itself keeps its own path.
/// - Query: pairs decoded, sorted by key then value (by bytes, before
///   encoding), each side encoded, `k=v` joined by `&`; a key without `=`
///   has the empty value.
/// - Headers: every header given except `content-type` (the Go SDK skips it
///   because proxies rewrite it), names lowercased and sorted, values
///   trimmed; `name:value\n` per header.
public struct SDKCanonicalRequest: Sendable, Equatable {
    public var method: String
    public var uri: String
    public var query: String
    /// `name:value` lines, each ending in `\n`.
    public var headers: String
    /// Lowercased names joined by `;`, as in the `Authorization` header.
    public var signedHeaders: String
    public var payloadHash: String

    public init(method: String, url: HTTPURL, headers: [(name: String, value: String)], body: [UInt8]) {
        self.method = method.uppercased()
        self.uri = Self.canonicalURI(percentEncodedPath: url.path)
        self.query = Self.canonicalQuery(percentEncodedQuery: url.query)
        let signed = Self.signedHeaderFields(headers)
        self.headers = signed.map { "\($0.name):\($0.value)\n" }.joined()
        var names: [String] = []
        for field in signed where names.last != field.name {
            names.append(field.name)
        }
        self.signedHeaders = names.joined(separator: ";")
        self.payloadHash = hex(SHA256.hash(body))
    }

    /// The text whose SHA-256 goes into the string to sign.
    public var text: String {
        [method, uri, query, headers, signedHeaders, payloadHash].joined(separator: "\n")
    }

    static func canonicalURI(percentEncodedPath path: String) -> String {
        let decoded = SDKPercentEncoding.decode(Substring(path))
        let segments = decoded.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        var uri = segments.map { SDKPercentEncoding.encode($0) }.joined(separator: "/")
        if !uri.hasSuffix("/") {
            uri += "/"
        }
        return uri
    }

    static func canonicalQuery(percentEncodedQuery query: String?) -> String {
        guard let query, !query.isEmpty else { return "" }
        var pairs: [(key: [UInt8], value: [UInt8])] = []
        for item in query.split(separator: "&") where !item.isEmpty {
            if let equals = item.firstIndex(of: "=") {
                pairs.append((SDKPercentEncoding.decode(item[..<equals]), SDKPercentEncoding.decode(item[item.index(after: equals)...])))
            } else {
                pairs.append((SDKPercentEncoding.decode(item), []))
            }
        }
        pairs.sort { lhs, rhs in
            lhs.key == rhs.key ? lhs.value.lexicographicallyPrecedes(rhs.value) : lhs.key.lexicographicallyPrecedes(rhs.key)
        }
        return pairs.map { SDKPercentEncoding.encode($0.key) + "=" + SDKPercentEncoding.encode($0.value) }.joined(separator: "&")
    }

    /// Lowercased, trimmed, without `content-type`, sorted by name and then
    /// value (a repeated header gives one line per value, as in the Go SDK).
    static func signedHeaderFields(_ headers: [(name: String, value: String)]) -> [(name: String, value: String)] {
        headers
            .map { (name: $0.name.lowercased(), value: $0.value.trimmingWhitespace()) }
            .filter { $0.name != "content-type" }
            .sorted { lhs, rhs in
                lhs.name == rhs.name ? Array(lhs.value.utf8).lexicographicallyPrecedes(rhs.value.utf8) : Array(lhs.name.utf8).lexicographicallyPrecedes(rhs.name.utf8)
            }
    }
}
