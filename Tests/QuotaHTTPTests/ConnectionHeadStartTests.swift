#if canImport(Glibc)
import Glibc
#endif
import QuotaLogging
import Testing
@testable import QuotaHTTP

/// How a connection splits an answer into `sendmsg` calls, seen from the
/// other end of a `SOCK_SEQPACKET` socket pair: there every `sendmsg` is
/// one record, and one `recv` returns exactly one, so the test reads the
/// server's write boundaries instead of a TCP stream that merges them.
@Suite struct ConnectionHeadStartTests {
    /// Three parts of 12 KB, each of its own byte, so a record boundary
    /// anywhere but the expected one shows.
    private static let parts: [[UInt8]] = (0..<3).map { [UInt8](repeating: UInt8(ascii: "a") + $0, count: 12 * 1024) }

    @Test func aHeadStartSendsTheFirstBytesOnTheirOwnThenTheRestInOneWrite() throws {
        let records = try Self.answer(headStart: true, parts: Self.parts)
        try #require(records.count == 2)
        #expect(records[0].count == Connection.headStartBytes)
        let whole = records[0] + records[1]
        #expect(whole.count > Connection.headStartBytes)
        #expect(Self.body(of: whole) == Self.parts.flatMap { $0 })
    }

    @Test func withoutAHeadStartTheHeadAndBodyLeaveInOneWrite() throws {
        let records = try Self.answer(headStart: false, parts: Self.parts)
        try #require(records.count == 1)
        #expect(Self.body(of: records[0]) == Self.parts.flatMap { $0 })
    }

    /// An answer shorter than the head start is not split: the limit is a
    /// cap on the first write, not a size every write is cut to.
    @Test func aSmallAnswerIsOneWriteEitherWay() throws {
        let small: [[UInt8]] = [Array("ok\n".utf8)]
        for headStart in [true, false] {
            let records = try Self.answer(headStart: headStart, parts: small)
            #expect(records.count == 1)
            #expect(Self.body(of: records.first ?? []) == small[0])
        }
    }

    /// Sends one GET through a connection on one end of a socket pair,
    /// delivers `parts` as its answer, and returns the records the other
    /// end received.
    private static func answer(headStart: Bool, parts: [[UInt8]]) throws -> [[UInt8]] {
        var pair: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0, &pair) == 0 else {
            throw TestClientError(description: "socketpair: errno \(errno)")
        }
        defer { Glibc.close(pair[0]); Glibc.close(pair[1]) }
        let configuration = HTTPServerConfiguration(listenAddresses: [try ListenAddress(parsing: "127.0.0.1:0")])
        let connection = Connection(
            id: 1, fd: pair[0], remoteAddress: "pair", isRejected: false,
            configuration: configuration, logger: .disabled, now: .now
        )
        let request = Array("GET /metrics HTTP/1.1\r\nHost: pair\r\n\r\n".utf8)
        guard send(pair[1], request, request.count, 0) == request.count else {
            throw TestClientError(description: "send: errno \(errno)")
        }
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        defer { scratch.deallocate() }
        guard case .dispatch = connection.readable(into: scratch, now: .now) else {
            throw TestClientError(description: "the request was not dispatched")
        }
        connection.headStart = headStart
        let outcome = connection.deliver(HTTPResponse(status: 200, bodyParts: parts), now: .now)
        guard case .keepOpen = outcome else { throw TestClientError(description: "the answer did not go out") }
        var records: [[UInt8]] = []
        var buffer = [UInt8](repeating: 0, count: 256 * 1024)
        while true {
            let count = recv(pair[1], &buffer, buffer.count, 0)
            if count < 0, errno == EAGAIN || errno == EWOULDBLOCK { break }
            guard count > 0 else { throw TestClientError(description: "recv: \(count), errno \(errno)") }
            records.append(Array(buffer[..<count]))
        }
        return records
    }

    /// What follows the blank line that ends the head.
    private static func body(of response: [UInt8]) -> [UInt8] {
        let end = Array("\r\n\r\n".utf8)
        guard response.count >= end.count, let start = (0...(response.count - end.count)).first(where: { Array(response[$0..<($0 + end.count)]) == end }) else {
            return []
        }
        return Array(response[(start + end.count)...])
    }
}
