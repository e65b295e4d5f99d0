import CQuotaSystem

/// A ready-to-use server TLS context built from `TLSServerSettings`:
/// building it is where every setting is checked (key matches certificate,
/// known cipher suites and curves, a CA bundle where verification needs
/// one), so `--config.check` and a re-read can validate a web config by
/// building one, and a broken new file never replaces a working context.
///
/// Immutable once built, so one context serves every connection of every
/// listener at once; connections keep the context they started with
/// (OpenSSL counts the references), so replacing it never disturbs them.
public final class TLSServerContext: Sendable {
    public let settings: TLSServerSettings
    /// The `SSL_CTX`. Only read after `init`, and OpenSSL allows creating
    /// sessions from one context on any thread.
    nonisolated(unsafe) let handle: OpaquePointer

    /// The OpenSSL build in use ("OpenSSL 3.0.13 30 Jan 2024"), or nil
    /// when libssl.so.3 cannot be loaded, for a start-up log line.
    public static var libraryVersion: String? {
        guard OpenSSLError.loadLibrary() == nil else { return nil }
        return String(cString: cqs_tls_library_version())
    }

    public init(_ settings: TLSServerSettings) throws(TLSSetupError) {
        if let reason = OpenSSLError.loadLibrary() {
            throw TLSSetupError(field: "tls_server_config", message: "TLS is unavailable: \(reason)")
        }
        let plan = try Plan(settings)
        let (created, reason) = OpenSSLError.capture { cqs_tls_context_new(1, $0, $1) }
        guard let context = created else {
            throw TLSSetupError(field: "tls_server_config", message: "cannot create a TLS context: \(reason)")
        }
        do {
            try plan.apply(to: context)
        } catch {
            cqs_tls_context_free(context)
            throw error
        }
        self.settings = settings
        self.handle = context
    }

    deinit {
        cqs_tls_context_free(handle)
    }
}

extension TLSServerContext {
    /// The settings checked and translated to OpenSSL's terms before any
    /// OpenSSL object exists, so name errors come first and cost nothing.
    struct Plan {
        let settings: TLSServerSettings
        let minVersion: TLSServerSettings.ProtocolVersion
        let cipherList: String?
        let groupList: String?

        init(_ settings: TLSServerSettings) throws(TLSSetupError) {
            self.settings = settings
            var minVersion = settings.minVersion
            if let max = settings.maxVersion, max < minVersion {
                throw TLSSetupError(
                    field: "min_version",
                    message: "\(minVersion.rawValue) is above max_version \(max.rawValue)"
                )
            }

            var ciphers: [String] = []
            for name in settings.cipherSuites {
                if TLSNames.tls13CipherSuites.contains(name) { continue }
                guard let openSSLName = TLSNames.openSSLCipher(name) else {
                    throw TLSSetupError(
                        field: "cipher_suites",
                        message: "unknown cipher suite \(quoted(name)); use a name Go's tls.CipherSuites() lists, "
                            + "e.g. TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 (see the README's TLS section)"
                    )
                }
                ciphers.append(openSSLName)
            }
            if !settings.cipherSuites.isEmpty, ciphers.isEmpty {
                // Only TLS 1.3 names: Go then has no suite for TLS 1.2 and
                // below, so only TLS 1.3 handshakes can succeed. Say that
                // with the protocol floor instead of an empty suite list.
                if let max = settings.maxVersion, max < .tls13 {
                    throw TLSSetupError(
                        field: "cipher_suites",
                        message: "lists only TLS 1.3 suites, which are not configurable, but max_version is \(max.rawValue)"
                    )
                }
                minVersion = .tls13
            }
            self.minVersion = minVersion
            self.cipherList = ciphers.isEmpty ? nil : ciphers.joined(separator: ":")

            var groups: [String] = []
            for name in settings.curvePreferences {
                guard let group = TLSNames.openSSLGroup(name) else {
                    throw TLSSetupError(
                        field: "curve_preferences",
                        message: "unknown curve \(quoted(name)); known: CurveP256, CurveP384, CurveP521, X25519"
                    )
                }
                groups.append(group)
            }
            self.groupList = groups.isEmpty ? nil : groups.joined(separator: ":")

            let auth = settings.clientAuth
            let hasCAs = settings.clientCAsPEM.map { !$0.isEmpty } ?? false
            if auth == .noClientCert, hasCAs {
                throw TLSSetupError(
                    field: "client_ca_file",
                    message: "client CAs are configured but client_auth_type is NoClientCert; "
                        + "set client_auth_type, e.g. RequireAndVerifyClientCert"
                )
            }
            if auth == .verifyClientCertIfGiven || auth == .requireAndVerifyClientCert, !hasCAs {
                throw TLSSetupError(
                    field: "client_ca_file",
                    message: "client_auth_type \(auth.rawValue) verifies client certificates and needs the CAs to verify them against "
                        + "(client_ca_file or client_ca)"
                )
            }
            if !settings.clientAllowedSANs.isEmpty, auth != .requireAnyClientCert, auth != .requireAndVerifyClientCert {
                throw TLSSetupError(
                    field: "client_allowed_sans",
                    message: "requires client_auth_type RequireAnyClientCert or RequireAndVerifyClientCert, not \(auth.rawValue)"
                )
            }
        }

        func apply(to context: OpaquePointer) throws(TLSSetupError) {
            let maxWire = settings.maxVersion.map(TLSNames.wire) ?? 0
            try check("min_version", OpenSSLError.capture {
                cqs_tls_context_set_versions(context, TLSNames.wire(minVersion), maxWire, $0, $1)
            })
            // OpenSSL 3 refuses TLS 1.0 and 1.1 at its default security
            // level (they need SHA-1); an explicit min_version below TLS12
            // asks for them, as it does in Go.
            if minVersion < .tls12 {
                cqs_tls_context_set_security_level(context, 0)
            }
            try check("cert_file", settings.certificateChainPEM.withUnsafeBufferPointer { pem in
                OpenSSLError.capture { cqs_tls_context_use_certificate_chain(context, pem.baseAddress, pem.count, $0, $1) }
            })
            try check("key_file", settings.privateKeyPEM.withUnsafeBufferPointer { pem in
                OpenSSLError.capture { cqs_tls_context_use_private_key(context, pem.baseAddress, pem.count, $0, $1) }
            })
            if let cas = settings.clientCAsPEM, !cas.isEmpty {
                try check("client_ca_file", cas.withUnsafeBufferPointer { pem in
                    OpenSSLError.capture { cqs_tls_context_trust_certificates(context, pem.baseAddress, pem.count, $0, $1) }
                })
            }
            cqs_tls_context_set_client_auth(context, Self.mode(settings.clientAuth))
            if let cipherList {
                try check("cipher_suites", OpenSSLError.capture { cqs_tls_context_set_cipher_list(context, cipherList, $0, $1) })
            }
            if let groupList {
                try check("curve_preferences", OpenSSLError.capture { cqs_tls_context_set_groups(context, groupList, $0, $1) })
            }
            cqs_tls_context_prefer_server_ciphers(context, settings.preferServerCipherSuites ? 1 : 0)
        }

        private static func mode(_ auth: TLSServerSettings.ClientAuth) -> cqs_tls_client_auth {
            switch auth {
            case .noClientCert: CQS_TLS_NO_CLIENT_CERT
            case .requestClientCert: CQS_TLS_REQUEST_CLIENT_CERT
            case .requireAnyClientCert: CQS_TLS_REQUIRE_ANY_CLIENT_CERT
            case .verifyClientCertIfGiven: CQS_TLS_VERIFY_CLIENT_CERT_IF_GIVEN
            case .requireAndVerifyClientCert: CQS_TLS_REQUIRE_AND_VERIFY_CLIENT_CERT
            }
        }

        private func check(_ field: String, _ outcome: (Int32, String)) throws(TLSSetupError) {
            guard outcome.0 < 0 else { return }
            throw TLSSetupError(field: field, message: Self.explain(field, outcome.1))
        }

        /// OpenSSL's reason with what it means for that field.
        private static func explain(_ field: String, _ reason: String) -> String {
            switch field {
            case "cert_file": "not a usable PEM certificate: \(reason)"
            case "key_file":
                reason.contains("does not match") || reason.contains("mismatch")
                    ? "the private key does not match the certificate in cert_file"
                    : "not a usable PEM private key (encrypted keys are not supported): \(reason)"
            case "client_ca_file": "not a usable PEM CA bundle: \(reason)"
            default: reason
            }
        }
    }
}

private func quoted(_ text: String) -> String {
    "\"" + String(text.unicodeScalars.prefix(64).map { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7f ? Character($0) : "?" }) + "\""
}
