import QuotaCrypto
import Testing
@testable import QuotaWeb

@Suite struct BasicAuthCredentialsTests {
    private func header(_ text: String) -> String { "Basic " + Base64.encode(Array(text.utf8)) }

    @Test func readsUserAndPasswordAsGoDoes() {
        #expect(BasicAuthCredentials.parse(header("prometheus:s3cret")) == BasicAuthCredentials(user: Array("prometheus".utf8), password: Array("s3cret".utf8)))
        // The user ends at the first colon; the password may hold more.
        #expect(BasicAuthCredentials.parse(header("a:b:c"))?.password == Array("b:c".utf8))
        #expect(BasicAuthCredentials.parse(header(":"))?.user == [])
        #expect(BasicAuthCredentials.parse("bAsIc " + Base64.encode(Array("u:p".utf8)))?.user == Array("u".utf8))
    }

    @Test(arguments: [
        "",
        "Basic",
        "Basic ",
        "Bearer abc",
        "Basic  dTpw",          // two spaces
        "Basic dTpw=",          // bad padding
        "Basic dTp",            // length not a multiple of 4
        "Basic d?pw",           // not base64
        "Basic dXNlcg==",       // "user": no colon
        "Basic ====",
        "Basic dT=w",
        "Digest username=\"u\"",
        "Basic\tdTpw",
    ])
    func refusesMalformedHeaders(_ value: String) {
        #expect(BasicAuthCredentials.parse(value) == nil)
    }

    @Test func refusesHugeHeaders() {
        #expect(BasicAuthCredentials.parse("Basic " + String(repeating: "QUFB", count: 8 << 10)) == nil)
    }
}
