import Foundation
import QuotaConfig
import QuotaHuaweiCES
import Testing

/// Signs random requests with the Swift signer and with
/// `scripts/huawei_sign.py` (Python's hashlib, hmac and urllib.parse) and
/// compares canonical requests and `Authorization` headers, so that a
/// mistake in canonicalization cannot hide behind matching hashes.
@Suite("SDK-HMAC-SHA256 cross-check with an independent Python signer")
struct SDKSignerPythonCrossCheckTests {
    struct RandomRequest {
        var method: String
        var url: String
        var headers: [(name: String, value: String)]
        var body: [UInt8]
        var accessKey: String
        var secretKey: String
        var date: Date
    }

    /// Characters that may appear raw in a path or query, plus escapes of
    /// bytes that must be escaped (space, slash, %, non-ASCII, control).
    static let rawPathPieces = ["a", "Z", "0", "9", "-", "_", ".", "~", "!", "$", "'", "(", ")", "*", "+", ",", ";", ":", "@", "="]
    static let escapedPieces = ["%20", "%2F", "%25", "%C3%A9", "%E4%B8%80", "%7E", "%2b", "%00", "%FF", "%26", "%3D", "%23", "%3F"]
    static let headerNames = ["Host", "X-Project-Id", "X-Security-Token", "Content-Type", "x-custom-Header", "Accept", "X-Request-Id", "user-agent"]

    static func piece(_ rng: inout some RandomNumberGenerator, extra: [String] = []) -> String {
        let count = Int.random(in: 0...6, using: &rng)
        return (0..<count).map { _ in
            Bool.random(using: &rng) ? (rawPathPieces + extra).randomElement(using: &rng)! : escapedPieces.randomElement(using: &rng)!
        }.joined()
    }

    static func makeRequest(_ rng: inout some RandomNumberGenerator) -> RandomRequest {
        let host = ["ces.ap-southeast-1.myhuaweicloud.com", "127.0.0.1:8080", "example.com"].randomElement(using: &rng)!
        let segments = (0..<Int.random(in: 0...4, using: &rng)).map { _ in piece(&rng) }
        var path = "/" + segments.joined(separator: "/")
        if Bool.random(using: &rng), !path.hasSuffix("/") { path += "/" }
        var url = "https://\(host)\(path)"
        if Bool.random(using: &rng) {
            let keys = (0..<Int.random(in: 1...4, using: &rng)).map { _ in piece(&rng, extra: ["/", "?"]) }
            let items = (0..<Int.random(in: 1...7, using: &rng)).map { _ -> String in
                let key = keys.randomElement(using: &rng)!  // repeated keys are likely
                switch Int.random(in: 0...5, using: &rng) {
                case 0: return key
                case 1: return key + "="
                default: return key + "=" + piece(&rng, extra: ["/", "?", "="])
                }
            }
            url += "?" + items.joined(separator: "&")
        }
        let names = headerNames.shuffled(using: &rng).prefix(Int.random(in: 0...5, using: &rng))
        let headers = names.map { name -> (name: String, value: String) in
            let padding = ["", " ", "  ", "\t"]
            let value = padding.randomElement(using: &rng)! + ["v", "a b", "x=y;z", "ÄÖü", "tok/+=", "UPPER lower"].randomElement(using: &rng)! + padding.randomElement(using: &rng)!
            return (name: Bool.random(using: &rng) ? name.lowercased() : name, value: value)
        }
        let body = (0..<[0, 0, 1, 64, 300].randomElement(using: &rng)!).map { _ in UInt8.random(in: 0...255, using: &rng) }
        return RandomRequest(
            method: ["GET", "POST", "put", "DELETE"].randomElement(using: &rng)!,
            url: url,
            headers: Array(headers),
            body: body,
            accessKey: "AK" + String(UInt64.random(in: 0...UInt64.max, using: &rng), radix: 36).uppercased(),
            secretKey: String((0..<40).map { _ in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/+=".randomElement(using: &rng)! }),
            date: Date(timeIntervalSince1970: Double(Int.random(in: 1_000_000_000...2_000_000_000, using: &rng)))
        )
    }

    @Test("150 random requests sign identically in Swift and Python")
    func randomRequestsMatchPython() async throws {
        var rng = SystemRandomNumberGenerator()
        let requests = (0..<150).map { _ in Self.makeRequest(&rng) }
        let inputs: [[String: Any]] = requests.map { request in
            [
                "method": request.method, "url": request.url,
                "headers": request.headers.map { [$0.name, $0.value] },
                "body_hex": request.body.map { String(format: "%02x", $0) }.joined(),
                "ak": request.accessKey, "sk": request.secretKey, "date": SDKDate.format(request.date.timeIntervalSince1970),
            ]
        }
        let outputs = try await PythonSigner.sign(inputs)
        try #require(outputs.count == requests.count)
        for (request, python) in zip(requests, outputs) {
            let url = try #require(HTTPURL(string: request.url), "not a URL: \(request.url)")
            var headers = request.headers
            headers.append((name: "X-Sdk-Date", value: SDKDate.format(request.date.timeIntervalSince1970)))
            let canonical = SDKCanonicalRequest(method: request.method, url: url, headers: headers, body: request.body)
            #expect(canonical.text == python.canonical_request, "\(request.url)")
            let signed = SDKSigner.sign(method: request.method, url: url, headers: request.headers, body: request.body,
                                        accessKey: request.accessKey, secretKey: Secret(request.secretKey), date: request.date.timeIntervalSince1970)
            #expect(signed[1].value == python.authorization, "\(request.url)")
        }
    }

    @Test("the Python signer reproduces Huawei's Go SDK test vector too")
    func pythonMatchesOfficialVector() async throws {
        let outputs = try await PythonSigner.sign([[
            "method": "GET", "url": "https://example.huaweicloud.com/path?limit=1", "headers": [[String]](),
            "body_hex": "", "ak": "AccessKey", "sk": "SecretKey", "date": "20060102T150405Z",
        ]])
        #expect(outputs.first?.authorization == "SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=x-sdk-date, Signature=5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624")
    }
}
