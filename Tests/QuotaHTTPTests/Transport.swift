import QuotaHTTP

/// How a test reaches the server: plain TCP, or TLS with the fixture
/// certificate (the server) and OpenSSL (the client). Every limit test
/// parametrised over `Transport.allCases` runs over both.
enum Transport: String, CaseIterable, Sendable, CustomStringConvertible {
    case plain
    case tls

    var description: String { rawValue }

    /// Made once: building a context reads and checks the PEM files.
    private static let serverContext: TLSServerContext = {
        do {
            return try TLSServerContext(ListenerCertificates.ready.settings())
        } catch {
            fatalError("the fixture TLS context: \(error)")
        }
    }()

    /// Whatever must exist before `configure` runs (certificates, made
    /// off the cooperative pool).
    func prepare() async throws {
        if self == .tls { _ = try await ListenerCertificates.get() }
    }

    /// What this transport needs on the server side (nothing, for plain).
    func configure(_ configuration: inout HTTPServerConfiguration) {
        switch self {
        case .plain:
            break
        case .tls:
            configuration.tls = Self.serverContext
        }
    }

    /// Connects and, for TLS, completes the handshake: call it off the
    /// cooperative pool (`blocking`), as any blocking client call.
    func connect(port: UInt16, host: String = "127.0.0.1", timeoutSeconds: Int = 5) throws -> any ClientConnection {
        switch self {
        case .plain:
            try TestClient(port: port, host: host, timeoutSeconds: timeoutSeconds)
        case .tls:
            try TestClient(port: port, host: host, timeoutSeconds: timeoutSeconds, tls: .standard)
        }
    }
}

/// One client connection as the limit tests use it, whatever carries it.
/// Blocking, with a read timeout, so a broken server fails a test instead of
/// hanging it.
protocol ClientConnection: AnyObject, Sendable {
    /// Throws once the server has closed or reset the connection.
    func send(_ bytes: [UInt8]) throws
    /// Reads one response; `isHead` means no body follows.
    func readResponse(isHead: Bool) throws -> TestResponse
    /// What arrived before the server closed; nil if it did not close
    /// within the read timeout.
    func bytesUntilClose() -> [UInt8]?
    /// True when no byte is waiting and the connection is still open.
    func hasNothingToRead() -> Bool
    /// Reads a little of whatever is coming, e.g. the start of a large body.
    func readSome(atLeast count: Int) throws
}

extension ClientConnection {
    func send(_ text: String) throws {
        try send(Array(text.utf8))
    }

    func readResponse() throws -> TestResponse {
        try readResponse(isHead: false)
    }

    /// True if the server closed within the read timeout.
    func waitForClose() -> Bool {
        bytesUntilClose() != nil
    }
}

extension TestClient: ClientConnection {}
