import FuzzSupport
@testable import QuotaHTTP

/// The request stream of one connection, as `Connection` feeds it to
/// `RequestParser` (heads, `Content-Length` and chunked bodies, pipelined
/// requests), three times: in one read, one byte per read, and in segments
/// whose sizes come from the input. Traps when
/// - the three disagree (issue 10 item 6: the answer must not depend on how
///   the bytes are split into reads), or
/// - the parser waits for more while holding more unconsumed bytes than a
///   head (item 4: a connection's buffer is bounded whatever the state).
private let maxHeadBytes = 512
private let maxBodyBytes = 2048
/// A head, or a chunk-size line (1024) with its line end, whichever is more.
private let maxBufferedBytes = max(maxHeadBytes, 1024 + 2)

/// What the server would do with the stream: the requests it would hand to
/// the handler, then the status it refuses with, if it does.
private struct Outcome: Equatable, CustomStringConvertible {
    var requests: [Request] = []
    var refusal: Int?

    struct Request: Equatable {
        var head: RequestHead
        var body: [UInt8]
    }

    var description: String {
        let heads = requests.map { "\($0.head.method) \($0.head.target) body \($0.body.count)B" }
        return "\(heads) refused: \(refusal.map(String.init) ?? "no")"
    }
}

private func run(_ bytes: [UInt8], segments: (Int) -> Int) -> Outcome {
    var parser = RequestParser(maxHeadBytes: maxHeadBytes, maxBodyBytes: maxBodyBytes)
    var outcome = Outcome()
    var input: [UInt8] = []
    var offset = 0
    var read = 0
    while offset < bytes.count {
        let length = min(max(1, segments(read)), bytes.count - offset)
        input.append(contentsOf: bytes[offset..<offset + length])
        offset += length
        read += 1
        parsing: while true {
            switch parser.next(&input) {
            case .needMoreData:
                fuzzCheck(
                    input.count <= maxBufferedBytes,
                    "parser waits for more data while holding \(input.count) unconsumed bytes"
                )
                break parsing
            case .headReceived:
                continue
            case .requestComplete(let head, let body):
                outcome.requests.append(.init(head: head, body: body))
            case .failed(let error):
                outcome.refusal = error.status
                return outcome
            }
        }
    }
    return outcome
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let whole = compare(bytes)
    // A parser still waiting must take more bytes or refuse them, never sit
    // on them: line ends past the buffer bound show it cheaply (blank lines
    // between requests, the end of a head, body bytes, an empty chunk size).
    if whole.refusal == nil {
        _ = compare(bytes + [UInt8](repeating: 0x0A, count: maxBufferedBytes + 1))
    }
    return 0
}

private func compare(_ bytes: [UInt8]) -> Outcome {
    let whole = run(bytes) { _ in bytes.count }
    let byByte = run(bytes) { _ in 1 }
    // Segment sizes 1...16 from a tiny generator seeded by the input length,
    // so a reproducer replays the same way.
    var state = UInt32(truncatingIfNeeded: bytes.count) &* 2_654_435_761 | 1
    let segmented = run(bytes) { _ in
        state ^= state << 13
        state ^= state >> 17
        state ^= state << 5
        return Int(state % 16) + 1
    }
    fuzzCheck(whole == byByte, "whole: \(whole); byte by byte: \(byByte)")
    fuzzCheck(whole == segmented, "whole: \(whole); in segments: \(segmented)")
    return whole
}
