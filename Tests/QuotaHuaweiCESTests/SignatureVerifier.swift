import Foundation
import QuotaCrypto
import QuotaHTTP

/// What API Gateway does with an SDK-HMAC-SHA256 request, written for the
/// fake server independently of the signer under test: parse the
/// `Authorization` header, rebuild the canonical request from the request
/// *as received* (raw path and query, the signed headers' received values,
/// the body), recompute the HMAC with the known secret key and compare in
/// constant time. Also rejects an `X-Sdk-Date` more than 15 minutes off.
struct SignatureVerifier {
    let accessKey: String
    let secretKey: String
    var maxSkew: TimeInterval = 15 * 60

    enum Failure: Error, Equatable {
        case missingAuthorization
        case malformedAuthorization
        case unknownAccessKey
        case missingDate
        case dateSkew
        case missingSignedHeader(String)
        case signatureMismatch
    }

    func verify(_ request: HTTPRequest, now: Date) -> Failure? {
        guard let authorization = request.headers["Authorization"] else { return .missingAuthorization }
        let prefix = "SDK-HMAC-SHA256 "
        guard authorization.hasPrefix(prefix) else { return .malformedAuthorization }
        var fields: [String: String] = [:]
        for part in authorization.dropFirst(prefix.count).components(separatedBy: ", ") {
            guard let equals = part.firstIndex(of: "=") else { return .malformedAuthorization }
            fields[String(part[..<equals])] = String(part[part.index(after: equals)...])
        }
        guard let access = fields["Access"], let signedHeaders = fields["SignedHeaders"], let signature = fields["Signature"] else {
            return .malformedAuthorization
        }
        guard access == accessKey else { return .unknownAccessKey }
        guard let dateText = request.headers["X-Sdk-Date"], let date = Self.parseDate(dateText) else { return .missingDate }
        guard abs(date.timeIntervalSince(now)) <= maxSkew else { return .dateSkew }
        let names = signedHeaders.split(separator: ";").map(String.init)
        guard names.contains("x-sdk-date") else { return .missingSignedHeader("x-sdk-date") }

        var canonicalHeaders = ""
        for name in names {
            guard let value = request.headers[name] else { return .missingSignedHeader(name) }
            canonicalHeaders += name + ":" + value.trimmingCharacters(in: .whitespaces) + "\n"
        }
        let canonical = [
            request.method,
            Self.canonicalURI(request.path),
            Self.canonicalQuery(request.query ?? ""),
            canonicalHeaders,
            signedHeaders,
            hex(SHA256.hash(request.body)),
        ].joined(separator: "\n")
        let stringToSign = "SDK-HMAC-SHA256\n\(dateText)\n" + hex(SHA256.hash(Array(canonical.utf8)))
        let expected = hex(HMACSHA256.authenticationCode(key: Array(secretKey.utf8), message: Array(stringToSign.utf8)))
        return constantTimeEquals(Array(expected.utf8), Array(signature.utf8)) ? nil : .signatureMismatch
    }

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")

    private static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    static func canonicalURI(_ path: String) -> String {
        let decoded = path.removingPercentEncoding ?? path
        let uri = decoded.components(separatedBy: "/").map(escape).joined(separator: "/")
        return uri.hasSuffix("/") ? uri : uri + "/"
    }

    static func canonicalQuery(_ query: String) -> String {
        let pairs = query.components(separatedBy: "&").filter { !$0.isEmpty }.map { item -> (String, String) in
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            return (parts[0].removingPercentEncoding ?? parts[0], parts.count > 1 ? (parts[1].removingPercentEncoding ?? parts[1]) : "")
        }
        return pairs.sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }
            .map { escape($0.0) + "=" + escape($0.1) }.joined(separator: "&")
    }

    static func parseDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.date(from: text)
    }
}
