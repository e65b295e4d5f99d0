import Testing
@testable import QuotaHTTP

@Suite struct ListenAddressTests {
    @Test(arguments: [
        (":9100", "", 9100, ":9100"),
        ("127.0.0.1:80", "127.0.0.1", 80, "127.0.0.1:80"),
        ("0.0.0.0:0", "0.0.0.0", 0, "0.0.0.0:0"),
        ("[::1]:9100", "::1", 9100, "[::1]:9100"),
        ("[::]:65535", "::", 65535, "[::]:65535"),
        ("[0:0::1]:1", "::1", 1, "[::1]:1"),
        ("localhost:8080", "127.0.0.1", 8080, "127.0.0.1:8080"),
    ])
    func parsesValidForms(input: String, host: String, port: Int, description: String) throws {
        let address = try ListenAddress(parsing: input)
        #expect(address.host == host)
        #expect(Int(address.port) == port)
        #expect(address.description == description)
    }

    @Test(arguments: [
        ("", "empty address"),
        ("9100", "missing port"),
        ("localhost", "missing port"),
        ("127.0.0.1:", "missing port"),
        ("[::1]", "missing port"),
        (":http", "not a number"),
        (":-1", "not a number"),
        (":65536", "out of range"),
        (":99999999999999999999", "out of range"),
        ("[::1:80", "missing ']'"),
        ("::1:80", "must be in brackets"),
        ("[1.2.3.4]:80", "not an IPv6 address"),
        ("example.com:80", "not an IP address"),
        ("256.1.1.1:80", "not an IP address"),
    ])
    func refusesInvalidInput(input: String, reasonFragment: String) {
        #expect {
            _ = try ListenAddress(parsing: input)
        } throws: { error in
            let error = error as? ListenAddressError
            return error?.reason.contains(reasonFragment) == true
                && error?.description.contains("\"\(input)\"") == true
        }
    }
}
