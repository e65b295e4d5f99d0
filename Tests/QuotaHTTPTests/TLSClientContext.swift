import CQuotaSystem
import Foundation
@testable import QuotaHTTP

/// A client-side OpenSSL context for the tests' own TLS client: trusts the
/// fixture CA, optionally presents a client certificate.
final class TLSClientContext: @unchecked Sendable {
    let handle: OpaquePointer

    init(trusting caFile: String, certificate: String? = nil, key: String? = nil,
         minVersion: Int32 = 0x0303, maxVersion: Int32 = 0) throws {
        precondition(OpenSSLError.loadLibrary() == nil, "libssl.so.3 must load")
        guard let handle = cqs_tls_context_new(0, nil, 0) else { throw TestClientError(description: "SSL_CTX_new") }
        self.handle = handle
        let read: (String) -> [UInt8] = { Array(FileManager.default.contents(atPath: $0) ?? Data()) }
        var problems: [String] = []
        if cqs_tls_context_set_versions(handle, minVersion, maxVersion, nil, 0) < 0 { problems.append("versions") }
        if read(caFile).withUnsafeBufferPointer({ cqs_tls_context_trust_certificates(handle, $0.baseAddress, $0.count, nil, 0) }) < 0 {
            problems.append("CA")
        }
        cqs_tls_context_verify_server(handle)
        if let certificate, let key {
            if read(certificate).withUnsafeBufferPointer({ cqs_tls_context_use_certificate_chain(handle, $0.baseAddress, $0.count, nil, 0) }) < 0
                || read(key).withUnsafeBufferPointer({ cqs_tls_context_use_private_key(handle, $0.baseAddress, $0.count, nil, 0) }) < 0 {
                problems.append("client certificate")
            }
        }
        guard problems.isEmpty else { throw TestClientError(description: "client TLS context: \(problems)") }
    }

    deinit {
        cqs_tls_context_free(handle)
    }

    /// Trusts the fixture CA, no client certificate: what `Transport.tls` uses.
    static let standard: TLSClientContext = try! TLSClientContext(trusting: ListenerCertificates.ready.fixtures.caFile)
}
