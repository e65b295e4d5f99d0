import Testing
import QuotaConfig

/// The project's own URL type: the parts a caller needs, strict refusals.
struct HTTPURLTests {
    @Test func splitsTheParts() throws {
        let url = try #require(HTTPURL(string: "HTTPS://user:pw@Example.com:8443/a/b%20c?x=1&y"))
        #expect(url.scheme == "https")
        #expect(url.userInfo == "user:pw")
        #expect(url.host == "Example.com")
        #expect(url.port == 8443)
        #expect(url.path == "/a/b%20c")
        #expect(url.query == "x=1&y")
        #expect(url.absoluteString == "HTTPS://user:pw@Example.com:8443/a/b%20c?x=1&y")
    }

    @Test func ipv6LiteralLosesItsBrackets() throws {
        let url = try #require(HTTPURL(string: "http://[::1]:8080"))
        #expect(url.host == "::1")
        #expect(url.port == 8080)
        #expect(url.path == "")
        #expect(url.query == nil)
    }

    @Test(arguments: [
        "", "api.example.com", "ftp://example.com", "http://", "http:///path", "http://exa mple.com",
        "http://example.com:0", "http://example.com:65536", "http://example.com:8x", "http://example.com/#top",
        "http://[::1", "http://[zz]/", "http://exämple.com/", "http://example.com/\u{7F}",
    ])
    func refuses(_ text: String) {
        #expect(HTTPURL(string: text) == nil)
    }
}
