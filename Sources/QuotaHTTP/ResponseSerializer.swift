import QuotaLogging

/// Turns a handler's `HTTPResponse` into the chunks sent on the wire: the
/// head, then the body parts as they are (not copied). The
/// server owns framing: it sets `Content-Length`, `Connection` and `Date`
/// itself and drops handler headers that would break the framing or inject
/// lines.
enum ResponseSerializer {
    /// Headers the server writes itself; a handler's copy is ignored.
    private static let serverOwned: Set<String> = ["content-length", "transfer-encoding", "connection"]

    static func serialize(
        _ response: HTTPResponse,
        omitBody: Bool,
        closing: Bool,
        announceKeepAlive: Bool,
        logger: Logger
    ) -> [[UInt8]] {
        // 1xx, 204 and 304 never carry a body (RFC 9110 §6.4.1).
        let bodyForbidden = response.status < 200 || response.status == 204 || response.status == 304
        var head = "HTTP/1.1 \(response.status) \(HTTPResponse.reason(response.status))\r\n"
        for field in response.headers where !serverOwned.contains(field.name.lowercased()) {
            guard isSafe(field) else {
                logger.warn("dropping invalid response header from handler", ["header": field.name])
                continue
            }
            head += "\(field.name): \(field.value)\r\n"
        }
        if response.headers["Date"] == nil {
            head += "Date: \(HTTPDate.now())\r\n"
        }
        if !bodyForbidden {
            head += "Content-Length: \(response.bodyCount)\r\n"
        }
        if closing {
            head += "Connection: close\r\n"
        } else if announceKeepAlive {
            head += "Connection: keep-alive\r\n"
        }
        head += "\r\n"

        var chunks = [Array(head.utf8)]
        if !omitBody && !bodyForbidden {
            chunks.append(contentsOf: response.bodyParts)
        }
        return chunks
    }

    /// A name that is a token and a value without CR, LF or NUL, so a
    /// handler echoing user input cannot split the response.
    private static func isSafe(_ field: (name: String, value: String)) -> Bool {
        HTTPSyntax.isToken(field.name.utf8) && !field.value.utf8.contains(where: HTTPSyntax.isForbiddenInFieldValue)
    }

    /// The interim response a client sending `Expect: 100-continue` waits for.
    static let continueResponse = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)
}
