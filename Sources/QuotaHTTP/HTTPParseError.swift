/// A request the server answers itself instead of calling the handler:
/// the status to send and a short reason, for the body and the debug log.
/// The connection is closed afterwards because its framing is untrusted.
struct HTTPParseError: Error, Equatable, CustomStringConvertible {
    let status: Int
    let reason: String

    static func badRequest(_ reason: String) -> HTTPParseError {
        HTTPParseError(status: 400, reason: reason)
    }

    var description: String {
        "\(status) \(HTTPResponse.reason(status)): \(reason)"
    }
}
