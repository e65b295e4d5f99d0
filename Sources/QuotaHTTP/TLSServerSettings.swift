/// The listener's TLS settings, as exporter-toolkit's `tls_server_config`
/// means them, with the certificate, key and client-CA material already read
/// (from `cert_file`/`key_file`/`client_ca_file` or the inline `cert`/`key`/
/// `client_ca`), so that building a context never touches the filesystem and
/// a re-read can compare the bytes it got with the ones in use.
///
/// Names of cipher suites and curves stay as the file spells them (Go's
/// names, e.g. `TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`, `CurveP256`,
/// `X25519`): `TLSServerContext` maps them to OpenSSL's and rejects unknown
/// ones with an error naming the field, so an existing exporter-toolkit file
/// means the same here.
public struct TLSServerSettings: Sendable, Equatable, CustomStringConvertible {
    /// exporter-toolkit's `client_auth_type`, with Go's `tls.ClientAuthType` meanings.
    public enum ClientAuth: String, Sendable, CaseIterable {
        case noClientCert = "NoClientCert"
        case requestClientCert = "RequestClientCert"
        case requireAnyClientCert = "RequireAnyClientCert"
        case verifyClientCertIfGiven = "VerifyClientCertIfGiven"
        case requireAndVerifyClientCert = "RequireAndVerifyClientCert"
    }

    /// exporter-toolkit's `min_version`/`max_version` values.
    public enum ProtocolVersion: String, Sendable, CaseIterable, Comparable {
        case tls10 = "TLS10"
        case tls11 = "TLS11"
        case tls12 = "TLS12"
        case tls13 = "TLS13"

        private var order: Int {
            switch self {
            case .tls10: 0
            case .tls11: 1
            case .tls12: 2
            case .tls13: 3
            }
        }

        public static func < (lhs: Self, rhs: Self) -> Bool { lhs.order < rhs.order }
    }

    /// PEM: the server certificate, then any intermediates.
    public var certificateChainPEM: [UInt8]
    /// PEM private key matching the first certificate. Never printed.
    public var privateKeyPEM: [UInt8]
    public var clientAuth: ClientAuth
    /// PEM bundle of CAs that client certificates are verified against;
    /// required by the two `Verify…` client-auth types.
    public var clientCAsPEM: [UInt8]?
    public var minVersion: ProtocolVersion
    /// nil: the highest the library supports.
    public var maxVersion: ProtocolVersion?
    /// Go names; empty: the library's defaults. Applies to TLS 1.2 and
    /// below, as in Go (TLS 1.3 suites are not configurable there either).
    public var cipherSuites: [String]
    /// Go names (`CurveP256`, `CurveP384`, `CurveP521`, `X25519`); empty: defaults.
    public var curvePreferences: [String]
    /// exporter-toolkit's `prefer_server_cipher_suites` (default true).
    public var preferServerCipherSuites: Bool
    /// exporter-toolkit's `client_allowed_sans`: when non-empty, a verified
    /// client certificate must carry one of these DNS/IP/email/URI SANs.
    public var clientAllowedSANs: [String]

    public init(
        certificateChainPEM: [UInt8],
        privateKeyPEM: [UInt8],
        clientAuth: ClientAuth = .noClientCert,
        clientCAsPEM: [UInt8]? = nil,
        minVersion: ProtocolVersion = .tls12,
        maxVersion: ProtocolVersion? = nil,
        cipherSuites: [String] = [],
        curvePreferences: [String] = [],
        preferServerCipherSuites: Bool = true,
        clientAllowedSANs: [String] = []
    ) {
        self.certificateChainPEM = certificateChainPEM
        self.privateKeyPEM = privateKeyPEM
        self.clientAuth = clientAuth
        self.clientCAsPEM = clientCAsPEM
        self.minVersion = minVersion
        self.maxVersion = maxVersion
        self.cipherSuites = cipherSuites
        self.curvePreferences = curvePreferences
        self.preferServerCipherSuites = preferServerCipherSuites
        self.clientAllowedSANs = clientAllowedSANs
    }

    /// Everything but the key, which a log line or an error must never carry.
    public var description: String {
        "TLSServerSettings(certificate: \(certificateChainPEM.count) bytes, key: <redacted>, clientAuth: \(clientAuth.rawValue), "
            + "clientCAs: \(clientCAsPEM.map { "\($0.count) bytes" } ?? "none"), minVersion: \(minVersion.rawValue), "
            + "maxVersion: \(maxVersion?.rawValue ?? "default"), cipherSuites: \(cipherSuites), curves: \(curvePreferences))"
    }
}
