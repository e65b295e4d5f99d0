import Foundation
import Testing
@testable import QuotaHTTP

/// Building a context is where a web config's TLS settings are checked:
/// each mistake names its field, and no message carries key bytes.
@Suite struct TLSServerContextTests {
    private func setupError(_ change: (inout TLSServerSettings, ListenerCertificates) -> Void) async throws -> TLSSetupError? {
        let certificates = try await ListenerCertificates.get()
        var settings = certificates.settings()
        change(&settings, certificates)
        do {
            _ = try TLSServerContext(settings)
            return nil
        } catch {
            return error
        }
    }

    @Test func theFixtureSettingsBuild() async throws {
        #expect(try await setupError { _, _ in } == nil)
        #expect(TLSServerContext.libraryVersion?.hasPrefix("OpenSSL 3") == true)
    }

    @Test func unknownNamesAreRefusedNamingTheField() async throws {
        let cipher = try #require(try await setupError { settings, _ in
            settings.cipherSuites = ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_RC4_128_SHA"]
        })
        #expect(cipher.field == "cipher_suites")
        #expect(cipher.message.contains("\"TLS_RSA_WITH_RC4_128_SHA\""))
        let openSSLName = try #require(try await setupError { settings, _ in settings.cipherSuites = ["ECDHE-RSA-AES128-GCM-SHA256"] })
        #expect(openSSLName.field == "cipher_suites", "OpenSSL's own names are not Go's")
        let curve = try #require(try await setupError { settings, _ in settings.curvePreferences = ["CurveP256", "P-384"] })
        #expect(curve.field == "curve_preferences")
        #expect(curve.message.contains("\"P-384\""))
    }

    @Test func onlyTLS13SuitesMeanTLS13Only() async throws {
        #expect(try await setupError { settings, _ in settings.cipherSuites = ["TLS_AES_128_GCM_SHA256"] } == nil)
        let refused = try #require(try await setupError { settings, _ in
            settings.cipherSuites = ["TLS_AES_128_GCM_SHA256"]
            settings.maxVersion = .tls12
        })
        #expect(refused.field == "cipher_suites")
        let plan = try TLSServerContext.Plan(ListenerCertificates.ready.settings { $0.cipherSuites = ["TLS_CHACHA20_POLY1305_SHA256"] })
        #expect(plan.minVersion == .tls13)
        #expect(plan.cipherList == nil)
    }

    @Test func versionsMustBeInOrder() async throws {
        let error = try #require(try await setupError { settings, _ in
            settings.minVersion = .tls13
            settings.maxVersion = .tls12
        })
        #expect(error == TLSSetupError(field: "min_version", message: "TLS13 is above max_version TLS12"))
    }

    @Test func certificateAndKeyProblemsNameTheirFile() async throws {
        let garbage = try #require(try await setupError { settings, _ in settings.certificateChainPEM = Array("not a certificate".utf8) })
        #expect(garbage.field == "cert_file")
        let keyAsCertificate = try #require(try await setupError { settings, certificates in
            settings.certificateChainPEM = certificates.read(certificates.fixtures.serverKey)
        })
        #expect(keyAsCertificate.field == "cert_file")

        let mismatch = try #require(try await setupError { settings, certificates in
            settings.privateKeyPEM = certificates.read(certificates.unrelatedKey)
        })
        #expect(mismatch == TLSSetupError(field: "key_file", message: "the private key does not match the certificate in cert_file"))
        let certificateAsKey = try #require(try await setupError { settings, certificates in
            settings.privateKeyPEM = certificates.read(certificates.fixtures.serverCert)
        })
        #expect(certificateAsKey.field == "key_file")
        // An encrypted key fails at once instead of prompting on the terminal.
        let encrypted = try #require(try await setupError { settings, certificates in
            settings.privateKeyPEM = certificates.read(certificates.encryptedKey)
        })
        #expect(encrypted.field == "key_file")
        #expect(encrypted.message.contains("encrypted keys are not supported"))
    }

    @Test func noMessageCarriesKeyBytes() async throws {
        let certificates = try await ListenerCertificates.get()
        let key = certificates.read(certificates.fixtures.serverKey)
        let keyText = String(decoding: key, as: UTF8.self)
        let secretLine = try #require(keyText.split(separator: "\n").first { !$0.hasPrefix("-----") })
        var errors: [TLSSetupError] = []
        for broken in [Array(key.dropLast(40)), Array(key.dropFirst(30)), key.map { $0 == UInt8(ascii: "A") ? UInt8(ascii: "B") : $0 }] {
            if let error = try await setupError({ settings, _ in settings.privateKeyPEM = broken }) { errors.append(error) }
            if let error = try await setupError({ settings, _ in settings.certificateChainPEM = broken }) { errors.append(error) }
        }
        #expect(errors.count == 6)
        for error in errors {
            #expect(!error.description.contains(secretLine.prefix(16)))
            #expect(!error.description.contains("PRIVATE KEY"))
        }
        #expect(!certificates.settings().description.contains(secretLine.prefix(16)))
    }

    @Test func clientAuthNeedsWhatGoAndExporterToolkitNeed() async throws {
        let casWithoutAuth = try #require(try await setupError { settings, certificates in
            settings.clientCAsPEM = certificates.read(certificates.fixtures.caFile)
        })
        #expect(casWithoutAuth.field == "client_ca_file")
        for mode in [TLSServerSettings.ClientAuth.verifyClientCertIfGiven, .requireAndVerifyClientCert] {
            let error = try #require(try await setupError { settings, _ in settings.clientAuth = mode })
            #expect(error.field == "client_ca_file")
            #expect(error.message.contains(mode.rawValue))
        }
        for mode in [TLSServerSettings.ClientAuth.requestClientCert, .requireAnyClientCert] {
            #expect(try await setupError { settings, _ in settings.clientAuth = mode } == nil, "\(mode) verifies nothing")
        }
        let notACA = try #require(try await setupError { settings, _ in
            settings.clientAuth = .requireAndVerifyClientCert
            settings.clientCAsPEM = Array("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n".utf8)
        })
        #expect(notACA.field == "client_ca_file")
        for mode in [TLSServerSettings.ClientAuth.noClientCert, .requestClientCert, .verifyClientCertIfGiven] {
            let error = try #require(try await setupError { settings, certificates in
                settings.clientAuth = mode
                settings.clientCAsPEM = mode == .noClientCert ? nil : certificates.read(certificates.fixtures.caFile)
                settings.clientAllowedSANs = ["prometheus.internal"]
            })
            #expect(error.field == "client_allowed_sans")
        }
    }

    /// Every Go name maps to the OpenSSL suite that openssl itself lists
    /// under that IANA name (`openssl ciphers -stdname`).
    @Test func cipherSuiteNamesAgreeWithOpenSSLsStandardNames() async throws {
        let listed = try await shell("openssl ciphers -stdname 'ALL:@SECLEVEL=0'")
        #expect(listed.status == 0)
        var byStandardName: [String: String] = [:]
        for line in listed.output.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if fields.count >= 3, fields[1] == "-" { byStandardName[String(fields[0])] = String(fields[2]) }
        }
        for (goName, openSSLName) in TLSNames.cipherSuites {
            #expect(byStandardName[goName] == openSSLName, "\(goName)")
        }
        for name in TLSNames.tls13CipherSuites {
            #expect(byStandardName[name] == name)
        }
    }

    @Test func ipSANsAreWrittenAsGoWritesThem() async throws {
        #expect(SubjectAltName.ipString([10, 1, 2, 3]) == "10.1.2.3")
        #expect(SubjectAltName.ipString([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1]) == "192.0.2.1")
        #expect(SubjectAltName.ipString([UInt8](repeating: 0, count: 16)) == "::")
        #expect(SubjectAltName.ipString([0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [7]) == "2001:db8::7")
        #expect(SubjectAltName.ipString([0x20, 0x01, 0, 0, 0, 1] + [UInt8](repeating: 0, count: 10)) == "2001:0:1::")
        #expect(SubjectAltName.ipString([1, 2, 3]) == nil)

        // Against Python's ipaddress, which writes RFC 5952 as Go does.
        var generator = SeededGenerator(seed: 5952)
        var addresses: [[UInt8]] = []
        while addresses.count < 300 {
            var bytes: [UInt8] = []
            for _ in 0..<8 {
                // Mostly zero groups, so runs of every length occur.
                let nonZero = UInt16.random(in: 0...3, using: &generator) == 0
                let group: UInt16 = nonZero ? UInt16.random(in: 1...0xffff, using: &generator) : 0
                bytes += [UInt8(group >> 8), UInt8(group & 0xff)]
            }
            let mapped = bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xff && bytes[11] == 0xff
            if !mapped { addresses.append(bytes) }
        }
        let hex = addresses.map { $0.map { String(format: "%02x", $0) }.joined() }.joined(separator: " ")
        let python = try await shell("python3 -c 'import ipaddress,sys\nfor h in sys.argv[1:]: print(ipaddress.IPv6Address(bytes.fromhex(h)).compressed)' \(hex)")
        #expect(python.status == 0)
        #expect(python.output.split(separator: "\n").map(String.init) == addresses.map { SubjectAltName.ipString($0)! })
    }
}
