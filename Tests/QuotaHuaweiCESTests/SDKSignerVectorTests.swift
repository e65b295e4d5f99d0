import Foundation
import QuotaConfig
import QuotaHuaweiCES
import Testing

private func canonical(_ url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = [], method: String = "GET") throws -> SDKCanonicalRequest {
    SDKCanonicalRequest(method: method, url: try #require(HTTPURL(string: url)), headers: headers, body: body)
}

@Suite("SDK-HMAC-SHA256 fixed vectors")
struct SDKSignerVectorTests {
    /// The vector of Huawei's own Go SDK test (`core/auth/signer/signer_test.go`,
    /// case "test1"): GET /path?limit=1 at 20060102T150405Z, AK "AccessKey", SK "SecretKey".
    @Test("Huawei's Go SDK test vector")
    func officialVector() throws {
        let date = try #require(SDKDate.parse("20060102T150405Z"))
        let headers = SDKSigner.sign(
            method: "GET", url: try #require(HTTPURL(string: "https://example.huaweicloud.com/path?limit=1")), headers: [], body: [],
            accessKey: "AccessKey", secretKey: Secret("SecretKey"), date: date
        )
        #expect(headers.map(\.name) == ["X-Sdk-Date", "Authorization"])
        #expect(headers[0].value == "20060102T150405Z")
        #expect(headers[1].value == "SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=x-sdk-date, Signature=5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624")
    }

    @Test("the whole canonical request and string to sign of a CES call")
    func cesCanonicalRequest() throws {
        let request = try canonical(
            "https://ces.ap-southeast-1.myhuaweicloud.com/V1.0/0a1b/quotas",
            headers: [("Host", "ces.ap-southeast-1.myhuaweicloud.com"), ("X-Project-Id", "0a1b"), ("X-Sdk-Date", "20240501T120000Z")]
        )
        #expect(request.text == """
            GET
            /V1.0/0a1b/quotas/

            host:ces.ap-southeast-1.myhuaweicloud.com
            x-project-id:0a1b
            x-sdk-date:20240501T120000Z

            host;x-project-id;x-sdk-date
            e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            """)
        #expect(SDKSigner.stringToSign(request, sdkDate: "20240501T120000Z").hasPrefix("SDK-HMAC-SHA256\n20240501T120000Z\n"))
    }

    @Test("canonical URI", arguments: [
        ("https://h/V1.0/p/quotas", "/V1.0/p/quotas/"),  // a slash is appended...
        ("https://h/V1.0/p/quotas/", "/V1.0/p/quotas/"),  // ...but never doubled
        ("https://h", "/"),
        ("https://h/", "/"),
        ("https://h//a//", "//a//"),  // empty segments are kept
        ("https://h/a%20b/c+d", "/a%20b/c%2Bd/"),  // space and plus are escaped
        ("https://h/a!b*c'(x)", "/a%21b%2Ac%27%28x%29/"),  // sub-delims too
        ("https://h/%7euser/a-b_c.d", "/~user/a-b_c.d/"),  // unreserved are decoded
        ("https://h/caf%c3%a9", "/caf%C3%A9/"),  // hex is uppercased
        ("https://h/a%2Fb", "/a/b/"),  // decoded before splitting, as the SDKs do
        ("https://h/bad%FFbyte", "/bad%FFbyte/"),  // bytes, even when not UTF-8
        ("https://h/50%", "/50%25/"),  // a lone percent is literal
    ])
    func canonicalURI(url: String, expected: String) throws {
        #expect(try canonical(url).uri == expected)
    }

    @Test("canonical query", arguments: [
        ("b=2&a=1", "a=1&b=2"),  // keys sorted
        ("a=2&a=1&a=10", "a=1&a=10&a=2"),  // a repeated key: values sorted as strings
        ("flag", "flag="),  // no "=" means the empty value
        ("k=", "k="),
        ("a=b=c", "a=b%3Dc"),  // only the first "=" splits
        ("q=a+b", "q=a%2Bb"),  // "+" is a plus, not a space
        ("q=a%20b&r=%7e", "q=a%20b&r=~"),
        ("&&a=1&", "a=1"),  // empty items are dropped
        ("z=1&%C3%A9=1", "z=1&%C3%A9=1"),  // sorted by raw bytes (0xC3 > 'z'), not by the escaped text
        ("B=1&a=1", "B=1&a=1"),  // case-sensitive, uppercase first
        ("", ""),
    ])
    func canonicalQuery(url query: String, expected: String) throws {
        #expect(try canonical("https://h/p?" + query).query == expected)
    }

    @Test("canonical headers: lowercased, sorted, trimmed, content-type left out")
    func canonicalHeaders() throws {
        let request = try canonical("https://h/p", headers: [
            ("X-Sdk-Date", "20240501T120000Z"), ("Content-Type", "application/json"), ("Host", "  h:8443 "), ("X-Project-Id", "\tp1"),
        ])
        #expect(request.headers == "host:h:8443\nx-project-id:p1\nx-sdk-date:20240501T120000Z\n")
        #expect(request.signedHeaders == "host;x-project-id;x-sdk-date")
    }

    @Test("the body's SHA-256 is the last line, and changes the signature")
    func bodyHash() throws {
        let request = try canonical("https://h/p", body: Array("abc".utf8), method: "post")
        #expect(request.method == "POST")
        #expect(request.payloadHash == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let date = 1_714_564_800.0
        func sign(_ body: String) throws -> String {
            SDKSigner.sign(method: "POST", url: try #require(HTTPURL(string: "https://h/p")), headers: [], body: Array(body.utf8),
                           accessKey: "AK", secretKey: Secret("SK"), date: date)[1].value
        }
        #expect(try sign("abc") != sign("abd"))
    }

    @Test("X-Sdk-Date comes from the date given, replacing one passed in")
    func dateHeader() throws {
        let date = try #require(SDKDate.parse("20240501T120000Z"))
        let headers = SDKSigner.sign(method: "GET", url: try #require(HTTPURL(string: "https://h/p")), headers: [("x-sdk-date", "19990101T000000Z")],
                                     body: [], accessKey: "AK", secretKey: Secret("SK"), date: date)
        #expect(headers[0].value == "20240501T120000Z")
        #expect(headers[1].value.contains("SignedHeaders=x-sdk-date,"))
    }

    @Test("X-Sdk-Date format")
    func sdkDate() throws {
        #expect(SDKDate.format(1_136_214_245) == "20060102T150405Z")
        #expect(SDKDate.format(1_136_214_245.9) == "20060102T150405Z")
        #expect(SDKDate.parse("20060102T150405Z") == 1_136_214_245)
        #expect(SDKDate.parse("2006-01-02T15:04:05Z") == nil)
        #expect(SDKDate.parse("20061302T150405Z") == nil)
    }
}
