/// Misuse of the server's lifecycle, as opposed to a failed system call
/// (`SocketError`).
public struct HTTPServerError: Error, CustomStringConvertible, Sendable, Equatable {
    public let message: String

    public var description: String { message }

    static let alreadyStarted = HTTPServerError(message: "HTTP server was already started")
    static let noListenAddresses = HTTPServerError(message: "HTTP server has no listen addresses")
}
