import QuotaLogging

/// Turns a handler's `HTTPResponse` into the chunks sent on the wire: the
/// head, then the body parts as they are (not copied). The
/// server owns framing: it sets `Content-Length`, `Connection` and `Date`
/// itself and drops handler headers that would break the framing or inject
/// lines.
///
/// Written straight into bytes, with names compared without lowercasing
/// and the `Date` value reused within its second: on a cached scrape the
/// head was a fifth of the exporter's work.
enum ResponseSerializer {
    /// Headers the server writes itself; a handler's copy is ignored.
    private static let serverOwned = ["Content-Length", "Transfer-Encoding", "Connection"]

    /// The head last written for a keyed response (`HTTPResponse.headKey`)
    /// on one connection, with what else went into it.
    struct KeptHead {
        var key: UInt64
        var date: [UInt8]
        var closing: Bool
        var announceKeepAlive: Bool
        var bytes: [UInt8]
    }

    /// As `serialize`, but a keyed response whose head `kept` holds for the
    /// same second and connection state gets those bytes again; a new head
    /// for a keyed response is kept there.
    static func serialize(
        _ response: HTTPResponse,
        omitBody: Bool,
        closing: Bool,
        announceKeepAlive: Bool,
        logger: Logger,
        kept: inout KeptHead?
    ) -> [[UInt8]] {
        guard response.headKey != 0 else {
            return serialize(response, omitBody: omitBody, closing: closing, announceKeepAlive: announceKeepAlive, logger: logger)
        }
        let date = DateHeader.nowBytes()
        let head: [UInt8]
        if let kept, kept.key == response.headKey, kept.date == date, kept.closing == closing, kept.announceKeepAlive == announceKeepAlive {
            head = kept.bytes
        } else {
            head = self.head(response, closing: closing, announceKeepAlive: announceKeepAlive, date: date, logger: logger)
            kept = KeptHead(key: response.headKey, date: date, closing: closing, announceKeepAlive: announceKeepAlive, bytes: head)
        }
        return chunks(head, response, omitBody: omitBody)
    }

    static func serialize(
        _ response: HTTPResponse,
        omitBody: Bool,
        closing: Bool,
        announceKeepAlive: Bool,
        logger: Logger
    ) -> [[UInt8]] {
        let head = head(response, closing: closing, announceKeepAlive: announceKeepAlive, date: DateHeader.nowBytes(), logger: logger)
        return chunks(head, response, omitBody: omitBody)
    }

    /// 1xx, 204 and 304 never carry a body (RFC 9110 §6.4.1).
    private static func bodyForbidden(_ status: Int) -> Bool {
        status < 200 || status == 204 || status == 304
    }

    private static func chunks(_ head: [UInt8], _ response: HTTPResponse, omitBody: Bool) -> [[UInt8]] {
        var chunks = [head]
        if !omitBody && !bodyForbidden(response.status) {
            chunks.append(contentsOf: response.bodyParts)
        }
        return chunks
    }

    private static func head(
        _ response: HTTPResponse, closing: Bool, announceKeepAlive: Bool, date: [UInt8], logger: Logger
    ) -> [UInt8] {
        let bodyForbidden = bodyForbidden(response.status)
        var head: [UInt8] = []
        head.reserveCapacity(256)
        head.append(contentsOf: "HTTP/1.1 ".utf8)
        appendDecimal(response.status, to: &head)
        head.append(HTTPSyntax.space)
        head.append(contentsOf: HTTPResponse.reason(response.status).utf8)
        head.append(contentsOf: crlf)
        var hasDate = false
        for field in response.headers {
            if serverOwned.contains(where: { HTTPHeaders.namesMatch($0, field.name) }) { continue }
            guard isSafe(field) else {
                logger.warn("dropping invalid response header from handler", ["header": field.name])
                continue
            }
            hasDate = hasDate || HTTPHeaders.namesMatch(field.name, "Date")
            head.append(contentsOf: field.name.utf8)
            head.append(contentsOf: ": ".utf8)
            head.append(contentsOf: field.value.utf8)
            head.append(contentsOf: crlf)
        }
        if !hasDate {
            head.append(contentsOf: "Date: ".utf8)
            head.append(contentsOf: date)
            head.append(contentsOf: crlf)
        }
        if !bodyForbidden {
            head.append(contentsOf: "Content-Length: ".utf8)
            appendDecimal(response.bodyCount, to: &head)
            head.append(contentsOf: crlf)
        }
        if closing {
            head.append(contentsOf: "Connection: close\r\n".utf8)
        } else if announceKeepAlive {
            head.append(contentsOf: "Connection: keep-alive\r\n".utf8)
        }
        head.append(contentsOf: crlf)
        return head
    }

    private static let crlf: [UInt8] = [HTTPSyntax.cr, HTTPSyntax.lf]

    /// Digits appended least significant first, then put in order in place.
    private static func appendDecimal(_ value: Int, to bytes: inout [UInt8]) {
        guard value > 0 else {
            bytes.append(UInt8(ascii: "0"))
            return
        }
        let start = bytes.count
        var rest = value
        while rest > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(rest % 10))
            rest /= 10
        }
        bytes[start...].reverse()
    }

    /// A name that is a token and a value without CR, LF or NUL, so a
    /// handler echoing user input cannot split the response.
    private static func isSafe(_ field: (name: String, value: String)) -> Bool {
        HTTPSyntax.isToken(field.name.utf8) && !field.value.utf8.contains(where: HTTPSyntax.isForbiddenInFieldValue)
    }

    /// The interim response a client sending `Expect: 100-continue` waits for.
    static let continueResponse = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)
}
