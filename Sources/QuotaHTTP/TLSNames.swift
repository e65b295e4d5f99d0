/// Go's names for what exporter-toolkit's `tls_server_config` configures,
/// mapped to OpenSSL's, so a web-config file written for a Go exporter
/// means the same here. Only the names Go's `tls.CipherSuites()` returns
/// (the suites Go does not mark insecure) are accepted, as exporter-toolkit
/// accepts no others; the four curves are exporter-toolkit's whole list.
enum TLSNames {
    /// TLS 1.0–1.2 suites: Go (IANA) name → OpenSSL name.
    static let cipherSuites: KeyValuePairs<String, String> = [
        "TLS_RSA_WITH_AES_128_CBC_SHA": "AES128-SHA",
        "TLS_RSA_WITH_AES_256_CBC_SHA": "AES256-SHA",
        "TLS_RSA_WITH_AES_128_GCM_SHA256": "AES128-GCM-SHA256",
        "TLS_RSA_WITH_AES_256_GCM_SHA384": "AES256-GCM-SHA384",
        "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA": "ECDHE-ECDSA-AES128-SHA",
        "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA": "ECDHE-ECDSA-AES256-SHA",
        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA": "ECDHE-RSA-AES128-SHA",
        "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA": "ECDHE-RSA-AES256-SHA",
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256": "ECDHE-ECDSA-AES128-GCM-SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384": "ECDHE-ECDSA-AES256-GCM-SHA384",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256": "ECDHE-RSA-AES128-GCM-SHA256",
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384": "ECDHE-RSA-AES256-GCM-SHA384",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256": "ECDHE-RSA-CHACHA20-POLY1305",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256": "ECDHE-ECDSA-CHACHA20-POLY1305",
    ]

    /// TLS 1.3 suites: accepted in `cipher_suites` and ignored, as Go
    /// ignores them (TLS 1.3 suites are not configurable there).
    static let tls13CipherSuites: Set<String> = [
        "TLS_AES_128_GCM_SHA256",
        "TLS_AES_256_GCM_SHA384",
        "TLS_CHACHA20_POLY1305_SHA256",
    ]

    /// exporter-toolkit's curve names → OpenSSL group names.
    static let curves: KeyValuePairs<String, String> = [
        "CurveP256": "P-256",
        "CurveP384": "P-384",
        "CurveP521": "P-521",
        "X25519": "X25519",
    ]

    static func openSSLCipher(_ goName: String) -> String? {
        cipherSuites.first { $0.key == goName }?.value
    }

    static func openSSLGroup(_ goName: String) -> String? {
        curves.first { $0.key == goName }?.value
    }

    static func wire(_ version: TLSServerSettings.ProtocolVersion) -> Int32 {
        switch version {
        case .tls10: 0x0301
        case .tls11: 0x0302
        case .tls12: 0x0303
        case .tls13: 0x0304
        }
    }
}
