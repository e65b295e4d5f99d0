import Foundation
import LoopbackSupport
@testable import QuotaHTTP

/// The listener tests' TLS material: TLSFixtures' CA and server
/// certificate, plus what only these tests need, made once per process
/// with openssl from the same CA: a client certificate with one SAN of
/// every kind, one from the unrelated CA, a second server certificate (for
/// rotation) and the server key encrypted.
struct ListenerCertificates: Sendable {
    let fixtures: TLSFixtures
    var directory: String { fixtures.directory + "/listener" }
    var clientCert: String { directory + "/client.pem" }
    var clientKey: String { directory + "/client.key" }
    var strangerCert: String { directory + "/stranger.pem" }
    var strangerKey: String { directory + "/stranger.key" }
    var rotatedCert: String { directory + "/rotated.pem" }
    var rotatedKey: String { directory + "/rotated.key" }
    var encryptedKey: String { directory + "/encrypted.key" }
    /// A key that belongs to no certificate here but the unrelated CA.
    var unrelatedKey: String { fixtures.directory + "/wrong-ca.key" }

    static let clientSANs = ["prometheus.internal", "scraper@example.com", "spiffe://example.org/prometheus", "10.1.2.3", "2001:db8::7"]

    private static let shared: Result<ListenerCertificates, TestClientError> = make()

    /// Off the cooperative pool: openssl takes a while on a busy machine.
    static func get() async throws -> ListenerCertificates {
        _ = try await TLSFixtures.get()
        return try await offPool { try shared.get() }
    }

    /// For synchronous callers that already awaited `get()` once.
    static var ready: ListenerCertificates { try! shared.get() }

    func read(_ path: String) -> [UInt8] {
        Array(FileManager.default.contents(atPath: path) ?? Data())
    }

    /// Settings for the fixture server certificate (127.0.0.1, localhost).
    func settings(_ change: (inout TLSServerSettings) -> Void = { _ in }) -> TLSServerSettings {
        var settings = TLSServerSettings(certificateChainPEM: read(fixtures.serverCert), privateKeyPEM: read(fixtures.serverKey))
        change(&settings)
        return settings
    }

    private static func make() -> Result<ListenerCertificates, TestClientError> {
        guard let fixtures = try? TLSFixtures.shared.get() else {
            return .failure(TestClientError(description: "TLSFixtures failed"))
        }
        let certificates = ListenerCertificates(fixtures: fixtures)
        let key = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
        let script = """
        set -e
        mkdir -p '\(certificates.directory)' && cd '\(certificates.directory)'
        sign() {
          openssl req \(key) -keyout "$1.key" -out "$1.csr" -subj "/CN=$2" 2>/dev/null
          printf 'subjectAltName=%s\\nbasicConstraints=CA:FALSE\\nextendedKeyUsage=%s\\n' "$3" "$5" > "$1.ext"
          openssl x509 -req -in "$1.csr" -CA "../$4.pem" -CAkey "../$4.key" -CAcreateserial -out "$1.pem" -days 2 -extfile "$1.ext" 2>/dev/null
        }
        sign client prometheus 'DNS:prometheus.internal,email:scraper@example.com,URI:spiffe://example.org/prometheus,IP:10.1.2.3,IP:2001:db8:0:0:0:0:0:7' ca clientAuth
        sign stranger prometheus 'DNS:prometheus.internal' wrong-ca clientAuth
        sign rotated rotated.test 'DNS:rotated.test,IP:127.0.0.1' ca serverAuth
        openssl pkey -in ../server.key -aes256 -passout pass:secret -out encrypted.key 2>/dev/null
        """
        guard let shell = try? Spawned(["/bin/sh", "-c", script]), shell.closeInputAndWait() == 0 else {
            return .failure(TestClientError(description: "openssl failed making the listener's test certificates"))
        }
        return .success(certificates)
    }
}
