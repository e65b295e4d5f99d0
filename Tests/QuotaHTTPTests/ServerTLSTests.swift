import Foundation
import LoopbackSupport
import QuotaLogging
import Testing
@testable import QuotaHTTP

extension ServerTests {
    @Suite struct TLS {
        @Test func servesAGetOverTLS() async throws {
            try await withServer(transport: .tls, logger: Logger(level: .debug)) { server, port in
                let response = try await blocking {
                    let client = try Transport.tls.connect(port: port)
                    try client.send(get("/hello"))
                    return try client.readResponse()
                }
                #expect(response.text == "hello /hello")
            }
        }
    }
}
