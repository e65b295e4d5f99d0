import Foundation

/// An openssl-made CA, a second unrelated CA, and server certificates the
/// first one signed: one for 127.0.0.1/localhost and one valid only for
/// `quota.internal` (for `server_name`). Made once per test process.
public struct TLSFixtures: Sendable {
    public let directory: String
    public var caFile: String { directory + "/ca.pem" }
    public var wrongCAFile: String { directory + "/wrong-ca.pem" }
    public var serverCert: String { directory + "/server.pem" }
    public var serverKey: String { directory + "/server.key" }
    public var aliasCert: String { directory + "/alias.pem" }
    public var aliasKey: String { directory + "/alias.key" }

    public static let shared: Result<TLSFixtures, LoopbackError> = make()

    /// Made off the cooperative pool: openssl takes a while on a busy machine.
    public static func get() async throws -> TLSFixtures { try await offPool { try shared.get() } }

    private static func make() -> Result<TLSFixtures, LoopbackError> {
        let directory = NSTemporaryDirectory() + "quota-test-tls-\(getpid())"
        let key = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
        let script = """
        set -e
        mkdir -p '\(directory)' && cd '\(directory)'
        openssl req -x509 \(key) -keyout ca.key -out ca.pem -days 2 -subj '/CN=quota test CA' 2>/dev/null
        openssl req -x509 \(key) -keyout wrong-ca.key -out wrong-ca.pem -days 2 -subj '/CN=unrelated CA' 2>/dev/null
        sign() {
          openssl req \(key) -keyout "$1.key" -out "$1.csr" -subj "/CN=$2" 2>/dev/null
          printf 'subjectAltName=%s\\nbasicConstraints=CA:FALSE\\n' "$3" > "$1.ext"
          openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -out "$1.pem" -days 2 -extfile "$1.ext" 2>/dev/null
        }
        sign server localhost 'DNS:localhost,IP:127.0.0.1'
        sign alias quota.internal 'DNS:quota.internal'
        """
        guard let shell = try? Spawned(["/bin/sh", "-c", script]), shell.closeInputAndWait() == 0 else {
            return .failure(LoopbackError(message: "openssl failed making test certificates"))
        }
        return .success(TLSFixtures(directory: directory))
    }
}
