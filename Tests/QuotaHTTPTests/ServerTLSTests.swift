import Foundation
import LoopbackSupport
import QuotaLogging
import Testing
@testable import QuotaHTTP

extension ServerTests {
    /// The listener's TLS against real clients (curl, `openssl s_client`)
    /// and against clients that misbehave.
    @Suite struct TLS {
        private static func withTLSServer(
            settings change: @escaping (inout TLSServerSettings) -> Void = { _ in },
            configure: @escaping (inout HTTPServerConfiguration) -> Void = { _ in },
            _ body: (HTTPServer, UInt16, ListenerCertificates) async throws -> Void
        ) async throws {
            let certificates = try await ListenerCertificates.get()
            let context = try TLSServerContext(certificates.settings(change))
            try await withServer(configure: { configuration in
                configuration.tls = context
                configure(&configuration)
            }) { server, port in
                try await body(server, port, certificates)
            }
        }

        @Test func curlGetsTheAnswerWithTheCAAndRefusesWithoutIt() async throws {
            try await Self.withTLSServer { _, port, certificates in
                let trusted = try await shell("curl -sS --max-time 20 -w ' %{http_version}' --cacert '\(certificates.fixtures.caFile)' https://127.0.0.1:\(port)/hello")
                #expect(trusted.status == 0)
                #expect(trusted.output == "hello /hello 1.1")

                let untrusted = try await shell("curl -sS --max-time 20 https://127.0.0.1:\(port)/hello")
                #expect(untrusted.status == 60, "curl's 'peer certificate cannot be authenticated': \(untrusted.output)")
                let wrongCA = try await shell("curl -sS --max-time 20 --cacert '\(certificates.fixtures.wrongCAFile)' https://127.0.0.1:\(port)/hello")
                #expect(wrongCA.status == 60)
            }
        }

        @Test func theDefaultFloorIsTLS12() async throws {
            try await Self.withTLSServer { server, port, certificates in
                let ca = "-CAfile '\(certificates.fixtures.caFile)' -verify_return_error"
                let answer1 = try await sClientGet(port: port, "\(ca) -tls1_3")
                #expect(answer1.contains("hello /hello"), "\(answer1)")
                let answer2 = try await sClientGet(port: port, "\(ca) -tls1_2")
                #expect(answer2.contains("hello /hello"), "\(answer2)")
                let old = try await sClientGet(port: port, "\(ca) -tls1_1 -cipher DEFAULT@SECLEVEL=0")
                #expect(!old.contains("hello /hello"))
                #expect(old.contains("alert protocol version") || old.contains("unsupported protocol"), "\(old)")
                #expect(await eventually { server.stats.tlsHandshakeFailuresTotal == 1 })
            }
        }

        @Test func minAndMaxVersionBoundTheProtocol() async throws {
            try await Self.withTLSServer(settings: { $0.minVersion = .tls13 }) { _, port, certificates in
                let ca = "-CAfile '\(certificates.fixtures.caFile)'"
                let answer3 = try await sClientGet(port: port, "\(ca) -tls1_3")
                #expect(answer3.contains("hello /hello"), "\(answer3)")
                let answer4 = try await sClientGet(port: port, "\(ca) -tls1_2")
                #expect(!answer4.contains("hello /hello"), "\(answer4)")
            }
            try await Self.withTLSServer(settings: { $0.maxVersion = .tls12 }) { _, port, certificates in
                let ca = "-CAfile '\(certificates.fixtures.caFile)'"
                let answer5 = try await sClientGet(port: port, "\(ca) -tls1_2")
                #expect(answer5.contains("hello /hello"), "\(answer5)")
                let answer6 = try await sClientGet(port: port, "\(ca) -tls1_3")
                #expect(!answer6.contains("hello /hello"), "\(answer6)")
            }
            // An explicit TLS10 floor really admits TLS 1.0 (OpenSSL 3 needs
            // security level 0 for it, on both ends).
            try await Self.withTLSServer(settings: { $0.minVersion = .tls10 }) { _, port, certificates in
                let ca = "-CAfile '\(certificates.fixtures.caFile)'"
                let answer7 = try await sClientGet(port: port, "\(ca) -tls1 -cipher DEFAULT@SECLEVEL=0")
                #expect(answer7.contains("hello /hello"), "\(answer7)")
            }
        }

        @Test func cipherSuitesAndCurvesAreGoNamesMappedToOpenSSL() async throws {
            try await Self.withTLSServer(settings: {
                $0.maxVersion = .tls12
                $0.cipherSuites = ["TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"]
            }) { _, port, certificates in
                let ca = "-CAfile '\(certificates.fixtures.caFile)'"
                let chosen = try await shell("openssl s_client -connect 127.0.0.1:\(port) \(ca) -tls1_2 -brief")
                #expect(chosen.output.contains("ECDHE-ECDSA-AES256-GCM-SHA384"), "\(chosen.output)")
                let other = try await sClientGet(port: port, "\(ca) -tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256")
                #expect(!other.contains("hello /hello"))
            }
            try await Self.withTLSServer(settings: { $0.curvePreferences = ["CurveP384"] }) { _, port, certificates in
                let ca = "-CAfile '\(certificates.fixtures.caFile)'"
                let answer8 = try await sClientGet(port: port, "\(ca) -groups P-384")
                #expect(answer8.contains("hello /hello"), "\(answer8)")
                let answer9 = try await sClientGet(port: port, "\(ca) -groups P-256")
                #expect(!answer9.contains("hello /hello"), "\(answer9)")
            }
        }

        /// Go's five client_auth_type meanings, each against no client
        /// certificate, one the client CA signed, and one an unrelated CA signed.
        @Test(arguments: TLSServerSettings.ClientAuth.allCases)
        func clientAuthTypeMeansWhatItMeansInGo(mode: TLSServerSettings.ClientAuth) async throws {
            let expected: (none: Bool, valid: Bool, stranger: Bool) = switch mode {
            case .noClientCert: (true, true, true)
            case .requestClientCert: (true, true, true)
            case .requireAnyClientCert: (false, true, true)
            case .verifyClientCertIfGiven: (true, true, false)
            case .requireAndVerifyClientCert: (false, true, false)
            }
            let certificates = try await ListenerCertificates.get()
            let clientCAs = mode == .noClientCert ? nil : certificates.read(certificates.fixtures.caFile)
            try await Self.withTLSServer(settings: {
                $0.clientAuth = mode
                $0.clientCAsPEM = clientCAs
            }) { _, port, certificates in
                let ca = "-CAfile '\(certificates.fixtures.caFile)'"
                let none = try await sClientGet(port: port, ca)
                let valid = try await sClientGet(port: port, "\(ca) -cert '\(certificates.clientCert)' -key '\(certificates.clientKey)'")
                let stranger = try await sClientGet(port: port, "\(ca) -cert '\(certificates.strangerCert)' -key '\(certificates.strangerKey)'")
                #expect(none.contains("hello /hello") == expected.none, "no certificate: \(none)")
                #expect(valid.contains("hello /hello") == expected.valid, "valid certificate: \(valid)")
                #expect(stranger.contains("hello /hello") == expected.stranger, "unrelated CA's certificate: \(stranger)")
            }
        }

        /// exporter-toolkit's client_allowed_sans, each SAN kind written as
        /// Go writes it; contexts swapped in with replaceTLSContext.
        @Test func clientAllowedSANsMatchAnyOneSANAsGoWritesIt() async throws {
            let certificates = try await ListenerCertificates.get()
            let base = certificates.settings {
                $0.clientAuth = .requireAndVerifyClientCert
                $0.clientCAsPEM = certificates.read(certificates.fixtures.caFile)
            }
            try await withServer(configure: { $0.tls = try? TLSServerContext(base) }) { server, port in
                let client = "-CAfile '\(certificates.fixtures.caFile)' -cert '\(certificates.clientCert)' -key '\(certificates.clientKey)'"
                for san in ListenerCertificates.clientSANs + ["other.internal, prometheus.internal"] {
                    var settings = base
                    settings.clientAllowedSANs = san.split(separator: ", ").map(String.init)
                    server.replaceTLSContext(try TLSServerContext(settings))
                    #expect(try await sClientGet(port: port, client).contains("hello /hello"), "allowed: \(san)")
                }
                for san in ["other.internal", "2001:db8:0:0:0:0:0:7", "PROMETHEUS.internal", "prometheus"] {
                    var settings = base
                    settings.clientAllowedSANs = [san]
                    server.replaceTLSContext(try TLSServerContext(settings))
                    let answer10 = try await sClientGet(port: port, client)
                    #expect(!answer10.contains("hello /hello"), "not allowed: \(san)")
                }
                #expect(await eventually { server.stats.tlsHandshakeFailuresTotal == 4 })
            }
        }

        @Test func aReplacedContextServesTheNewCertificateToNewConnectionsOnly() async throws {
            try await Self.withTLSServer { server, port, certificates in
                let before = try await blocking {
                    let client = try TestClient(port: port, tls: .standard)
                    try client.send(get("/before"))
                    _ = try client.readResponse()
                    return (client, client.tls!.peerSubjectAltNames)
                }
                #expect(before.1 == ["localhost", "127.0.0.1"])

                server.replaceTLSContext(try TLSServerContext(TLSServerSettings(
                    certificateChainPEM: certificates.read(certificates.rotatedCert),
                    privateKeyPEM: certificates.read(certificates.rotatedKey)
                )))
                let after = try await blocking {
                    let client = try TestClient(port: port, tls: .standard)
                    try client.send(get("/after"))
                    return (try client.readResponse().text, client.tls!.peerSubjectAltNames)
                }
                #expect(after.0 == "hello /after")
                #expect(after.1 == ["rotated.test", "127.0.0.1"])
                let curl = try await shell("curl -sS -v --max-time 20 --cacert '\(certificates.fixtures.caFile)' https://127.0.0.1:\(port)/curl")
                #expect(curl.output.contains("subject: CN=rotated.test"), "\(curl.output)")

                // The connection opened before keeps working on the old context.
                let old = try await blocking { [client = before.0] in
                    try client.send(get("/still"))
                    return try client.readResponse().text
                }
                #expect(old == "hello /still")

                server.replaceTLSContext(nil)
                let plain = try await blocking {
                    let client = try TestClient(port: port)
                    try client.send(get("/plain"))
                    return try client.readResponse().text
                }
                #expect(plain == "hello /plain")
            }
        }

        /// A client that starts a ClientHello and stops is closed after the
        /// handshake timeout; meanwhile another client is served.
        @Test func aStalledHandshakeIsClosedWhileAScrapeSucceeds() async throws {
            try await Self.withTLSServer(configure: { $0.tlsHandshakeTimeout = .seconds(2) }) { server, port, _ in
                let stalled = try await blocking {
                    let client = try TestClient(port: port)
                    // A record header announcing 512 bytes of handshake, and 4 of them.
                    try client.send([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc])
                    return client
                }
                #expect(await eventually { server.stats.openConnections == 1 })
                let scrape = try await blocking {
                    let client = try Transport.tls.connect(port: port)
                    try client.send(get("/metrics"))
                    return try client.readResponse()
                }
                #expect(scrape.text == "hello /metrics")
                // Served while the stalled one still waits: it got nothing yet.
                #expect(try await blocking { stalled.hasNothingToRead() })
                #expect(try await blocking { stalled.waitForClose() })
                #expect(await eventually { server.stats.tlsHandshakeFailuresTotal == 1 })
                #expect(await eventually { server.stats.openConnections == 0 })
            }
        }

        /// At the cap, a client stalled in its handshake goes before an idle
        /// keep-alive connection, as a head still arriving does.
        @Test func aStalledHandshakeIsEvictedBeforeAnIdleConnection() async throws {
            try await Self.withTLSServer(configure: { $0.maxConnections = 2 }) { server, port, _ in
                let idle = try await blocking {
                    let client = try Transport.tls.connect(port: port)
                    try client.send(get("/first"))
                    _ = try client.readResponse()
                    return client
                }
                let stalled = try await blocking {
                    let client = try TestClient(port: port)
                    try client.send([0x16, 0x03, 0x01, 0x02, 0x00, 0x01])
                    return client
                }
                #expect(await eventually { server.stats.openConnections == 2 })
                let response = try await blocking {
                    let client = try Transport.tls.connect(port: port)
                    try client.send(get("/new"))
                    return try client.readResponse()
                }
                #expect(response.text == "hello /new")
                #expect(try await blocking { stalled.waitForClose() })
                let fromIdle = try await blocking {
                    try idle.send(get("/still-here"))
                    return try idle.readResponse()
                }
                #expect(fromIdle.text == "hello /still-here")
                #expect(server.stats.evictedByCapTotal == 1)
                #expect(server.stats.tlsHandshakeFailuresTotal == 0)
            }
        }

        @Test func garbageInsteadOfAClientHelloIsClosedCleanly() async throws {
            var generator = SeededGenerator(seed: 13)
            try await Self.withTLSServer { server, port, _ in
                for round in 0..<8 {
                    let garbage = (0..<(64 << round)).map { _ in UInt8.random(in: 0...255, using: &generator) }
                    let closed = try await blocking {
                        let client = try TestClient(port: port)
                        try? client.send(garbage)
                        return client.waitForClose()
                    }
                    #expect(closed)
                }
                #expect(await eventually { server.stats.tlsHandshakeFailuresTotal == 8 })
                let after = try await blocking {
                    let client = try Transport.tls.connect(port: port)
                    try client.send(get("/after"))
                    return try client.readResponse()
                }
                #expect(after.text == "hello /after")
            }
        }

        @Test func plainHTTPToTheTLSPortGets400InPlainHTTP() async throws {
            try await Self.withTLSServer { server, port, _ in
                let (response, closed) = try await blocking {
                    let client = try TestClient(port: port)
                    try client.send(get("/metrics"))
                    return (try client.readResponse(), client.waitForClose())
                }
                #expect(response.status == 400)
                #expect(response.text.contains("this server speaks HTTPS"))
                #expect(closed)
                #expect(server.stats.requestsTotal == 0)
            }
        }

        /// Over the connection cap, a TLS client completes its handshake
        /// and reads the 503 like a plain one would.
        @Test func overTheCapATLSClientReads503() async throws {
            try await Self.withTLSServer(configure: { $0.maxConnections = 1 }) { server, port, _ in
                let busy = try await blocking {
                    let client = try Transport.tls.connect(port: port)
                    try client.send(get("/slow?1500"))
                    return client
                }
                #expect(await eventually { server.stats.requestsTotal == 1 })
                let refused = try await blocking {
                    let client = try Transport.tls.connect(port: port)
                    return try client.readResponse()
                }
                #expect(refused.status == 503)
                #expect(try await blocking { try busy.readResponse().text } == "slow done")
            }
        }
    }
}
