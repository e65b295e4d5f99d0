import QuotaHTTP

/// How a test reaches the server. Only plain TCP today; the TLS work adds a
/// case (configuring a certificate and returning a TLS client), and every
/// limit test parametrised over `Transport.allCases` then runs over both.
enum Transport: String, CaseIterable, Sendable, CustomStringConvertible {
    case plain

    var description: String { rawValue }

    /// What this transport needs on the server side (nothing, for plain).
    func configure(_ configuration: inout HTTPServerConfiguration) {
        switch self {
        case .plain:
            break
        }
    }

    func connect(port: UInt16, host: String = "127.0.0.1", timeoutSeconds: Int = 5) throws -> any ClientConnection {
        switch self {
        case .plain:
            try TestClient(port: port, host: host, timeoutSeconds: timeoutSeconds)
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
