import Testing
@testable import QuotaHTTP

/// Every input is parsed whole, byte by byte and in random (seeded)
/// splits; the sequence of events must be the same every time, and the
/// parser must never hold more than it promises. The inputs cover valid,
/// pipelined, chunked (extensions, trailers, bare LF), stray line ends and
/// malformed requests, at the default limits and at tiny ones so every
/// limit is crossed somewhere in the middle of a read.
@Suite struct SplitInvarianceTests {
    struct Limits: Sendable, CustomStringConvertible {
        let head: Int
        let body: Int
        var description: String { "head \(head), body \(body)" }
    }

    static let limits = [Limits(head: 8192, body: 1 << 20), Limits(head: 64, body: 16), Limits(head: 1100, body: 64)]

    static let get = "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
    static let chunkedHead = "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"

    static let inputs: [String] = [
        get,
        get + get + "GET /third HTTP/1.1\nHost: y\n\n",
        "\r\n\r\n\n" + get,
        "\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n" + get,
        String(repeating: "\r\n", count: 40) + get,
        "\r\r\n" + get,
        "\rGET / HTTP/1.1\r\nHost: x\r\n\r\n",
        "\r \n" + get,
        " GET / HTTP/1.1\r\nHost: x\r\n\r\n",
        "POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc\r\n" + get,
        "POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc\n" + get,
        "POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc\r\r\n" + get,
        "POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 5\r\nContent-Length: 005\r\n\r\nhello" + get,
        "POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 5,6\r\n\r\nhello",
        "POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\nhello",
        "POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 0x5\r\n\r\nhello",
        "POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n",
        "POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999, 99999999999999999998\r\n\r\n",
        "POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 0000000000000000000000000000000000000000000004\r\n\r\nbody",
        "POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 17\r\n\r\n01234567890123456",
        "POST /p HTTP/1.1\r\nHost: x\r\nContent-Length:\r\n\r\n",
        "PUT /p HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok",
        chunkedHead + "5;a=b;c=\"d;e\"\r\nhello\r\n6\r\n world\r\n0;last\r\nT: 1\r\nU: 2\r\n\r\n" + get,
        chunkedHead + "5\nhello\n0\n\n" + get,
        chunkedHead + "A\r\n0123456789\r\n0\r\n\r\n",
        chunkedHead + "a\r\n0123456789\r\n0\r\n\r\n",
        chunkedHead + "0000000000000000000000000000000005\r\nhello\r\n0\r\n\r\n",
        chunkedHead + "5 ;ext\r\nhello\r\n0\r\n\r\n",
        chunkedHead + "5\t\r\nhello\r\n0\r\n\r\n",
        chunkedHead + "-1\r\n" + String(repeating: "x", count: 300),
        chunkedHead + "+3\r\nabc\r\n0\r\n\r\n",
        chunkedHead + "-0\r\n\r\n",
        chunkedHead + "0x5\r\nhello\r\n0\r\n\r\n",
        chunkedHead + " 5\r\nhello\r\n0\r\n\r\n",
        chunkedHead + "5x\r\nhello\r\n0\r\n\r\n",
        chunkedHead + "\r\n",
        chunkedHead + "ffffffffffffffffffffffff\r\n",
        chunkedHead + "7fffffffffffffff\r\n",
        chunkedHead + "11\r\n01234567890123456\r\n0\r\n\r\n",
        chunkedHead + "5;e=\u{1}\r\nhello\r\n0\r\n\r\n",
        chunkedHead + "5;" + String(repeating: "e", count: 1019) + "\r\nhello\r\n0\r\n\r\n",  // 1023 bytes before LF
        chunkedHead + "5;" + String(repeating: "e", count: 1020) + "\r\nhello\r\n0\r\n\r\n",  // 1024
        chunkedHead + "5;" + String(repeating: "e", count: 1021) + "\r\nhello\r\n0\r\n\r\n",  // 1025
        chunkedHead + "5;" + String(repeating: "e", count: 1021) + "\nhello\n0\n\n",  // 1024, bare LF
        chunkedHead + "5\r\nhelloX\r\n0\r\n\r\n",
        chunkedHead + "5\r\nhello\r0\r\n\r\n",
        chunkedHead + "5\r\nhello\r\n0\r\nT: " + String(repeating: "t", count: 40) + "\r\n\r\n",
        chunkedHead + "5\r\nhello\r\n0\r\nT: " + String(repeating: "t", count: 58) + "\r\n\r\n",
        chunkedHead + "5\r\nhello\r\n0\r\nT: " + String(repeating: "t", count: 59) + "\r\n\r\n",
        chunkedHead + "5\r\nhello\r\n0\r\nT: a\rb\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\nX: " + String(repeating: "a", count: 30) + "\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\nX: " + String(repeating: "a", count: 8200) + "\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\nA: b\rc\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\n\r",
        "GET / HTTP/1.1\r\nHost: x\r\n",
        "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n" + get,
        "GET / HTTP/2.0\r\nHost: x\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
    ]

    @Test(arguments: limits)
    func eventsDoNotDependOnHowInputIsSplit(limits: Limits) {
        var inputs = Self.inputs.map { Array($0.utf8) }
        inputs += Self.generatedInputs(count: 200, seed: 0xC0FFEE)
        for (index, input) in inputs.enumerated() {
            let whole = run([input], limits)
            let byteByByte = run(input.map { [$0] }, limits)
            #expect(byteByByte == whole, "input \(index) byte by byte: \(show(input))")
            var generator = SeededGenerator(seed: UInt64(index) &+ 1)
            for round in 0..<20 {
                let split = Self.randomSplit(input, using: &generator)
                let events = run(split, limits)
                #expect(events == whole, "input \(index), round \(round), split \(split.map(\.count)): \(show(input))")
            }
        }
    }

    @Test func strayLineEndsBetweenRequestsAreIgnoredWhereverTheReadsEnd() {
        let first = Array("POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc\r".utf8)
        let second = Array("\n\(Self.get)".utf8)
        let events = RequestParser.events(feeding: [first, second]).events
        #expect(events.count == 3)
        #expect(events.allSatisfy { if case .failed = $0 { false } else { true } })
    }

    @Test func chunkExtensionOverTheLimitIsRefusedWhole() {
        let text = Self.chunkedHead + "5;" + String(repeating: "e", count: 2000) + "\r\nhello\r\n0\r\n\r\n"
        let events = RequestParser.events(feeding: [Array(text.utf8)]).events
        #expect(events.last == .failed(.badRequest("chunk size line too long")))
    }

    @Test(arguments: ["-1", "+3", "-0", "+0", "0x5", " 5", "5x"])
    func signedOrNonHexChunkSizesAreRefused(size: String) {
        let text = Self.chunkedHead + size + "\r\nabc\r\n0\r\n\r\n"
        let events = RequestParser.events(feeding: [Array(text.utf8)]).events
        #expect(events.last == .failed(.badRequest("invalid chunk size")))
    }

    @Test func emptyLinesBeforeTheRequestLineCountAgainstTheHeadLimit() {
        let text = String(repeating: "\r\n", count: 40) + Self.get
        let events = RequestParser.events(feeding: [Array(text.utf8)], maxHeadBytes: 64, maxBodyBytes: 16).events
        guard case .failed(let error) = events.last else {
            Issue.record("expected 431, got \(events)")
            return
        }
        #expect(error.status == 431)
    }

    // MARK: Helpers

    /// Events with the parser's promise on held bytes checked on the way.
    private func run(_ chunks: [[UInt8]], _ limits: Limits) -> [ParseEvent] {
        let (events, mostHeld) = RequestParser.events(feeding: chunks, maxHeadBytes: limits.head, maxBodyBytes: limits.body)
        let parser = RequestParser(maxHeadBytes: limits.head, maxBodyBytes: limits.body)
        #expect(mostHeld <= parser.maxHeldBytes, "held \(mostHeld) bytes, promised \(parser.maxHeldBytes)")
        return events
    }

    private func show(_ input: [UInt8]) -> String {
        String(String(decoding: input.prefix(200), as: UTF8.self).debugDescription)
    }

    static func randomSplit(_ input: [UInt8], using generator: inout SeededGenerator) -> [[UInt8]] {
        var chunks: [[UInt8]] = []
        var start = 0
        while start < input.count {
            let length = Int.random(in: 1...max(1, min(input.count - start, Int.random(in: 1...40, using: &generator))), using: &generator)
            chunks.append(Array(input[start..<start + length]))
            start += length
        }
        return chunks
    }

    /// Requests glued from pieces that matter to the parsers (line ends,
    /// sizes, signs, separators, framing headers), so odd combinations
    /// are tried as well as the hand-written ones.
    static func generatedInputs(count: Int, seed: UInt64) -> [[UInt8]] {
        let pieces = [
            "\r", "\n", "\r\n", " ", "\t", ";", "=", ":", ",", "\"", "-", "+", "0", "5", "a", "F", "x",
            "GET / HTTP/1.1\r\n", "POST /p HTTP/1.1\r\n", "Host: x\r\n", "Content-Length: 3\r\n",
            "Transfer-Encoding: chunked\r\n", "Expect: 100-continue\r\n", "T: v\r\n", "abc", "hello",
        ]
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in
            var text = Bool.random(using: &generator) ? chunkedHead : ""
            for _ in 0..<Int.random(in: 1...24, using: &generator) {
                text += pieces.randomElement(using: &generator)!
            }
            return Array(text.utf8)
        }
    }
}
