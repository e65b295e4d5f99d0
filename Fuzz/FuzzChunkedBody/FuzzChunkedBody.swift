import FuzzSupport
@testable import QuotaHTTP

/// A `Transfer-Encoding: chunked` body after the head, decoded in one read,
/// one byte per read, and in segments of 1...16 bytes. The three must agree
/// (issue 10 item 6), the decoded body must respect the cap, and a decoder
/// that wants more must not sit on more unconsumed bytes than a size line or
/// the trailer cap (item 4: `-1` as a size kept every later byte buffered).
private let maxBodyBytes = 4096
private let maxTrailerBytes = 512
private let maxBufferedBytes = max(1024 + 2, maxTrailerBytes)

private struct Outcome: Equatable, CustomStringConvertible {
    var finished = false
    var body: [UInt8] = []
    /// Bytes after the body (a pipelined request), once finished.
    var leftover: [UInt8] = []
    var refusal: Int?

    var description: String {
        "finished: \(finished), body \(body.count) B, leftover \(leftover.count) B, refused: \(refusal.map(String.init) ?? "no")"
    }
}

private func decode(_ bytes: [UInt8], segments: () -> Int) -> Outcome {
    var decoder = ChunkedBodyDecoder(maxBodyBytes: maxBodyBytes, maxTrailerBytes: maxTrailerBytes)
    var input: [UInt8] = []
    var offset = 0
    repeat {
        let length = min(max(1, segments()), bytes.count - offset)
        input.append(contentsOf: bytes[offset..<offset + length])
        offset += length
        do {
            if try decoder.consume(&input) {
                fuzzCheck(decoder.body.count <= maxBodyBytes, "decoded \(decoder.body.count) bytes past the cap")
                return Outcome(finished: true, body: decoder.body, leftover: input + bytes[offset...])
            }
        } catch {
            return Outcome(refusal: error.status)
        }
        fuzzCheck(input.count <= maxBufferedBytes, "decoder waits for more while holding \(input.count) unconsumed bytes")
    } while offset < bytes.count
    return Outcome(body: decoder.body)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let whole = compare(bytes)
    // A decoder still waiting must take more bytes or refuse them, never sit
    // on them: line ends past the buffer bound show it cheaply (each one is
    // an empty size line, the end of chunk data, or chunk data).
    if !whole.finished, whole.refusal == nil {
        _ = compare(bytes + [UInt8](repeating: 0x0A, count: maxBufferedBytes + 1))
    }
    return 0
}

private func compare(_ bytes: [UInt8]) -> Outcome {
    let whole = decode(bytes) { bytes.count }
    let byByte = decode(bytes) { 1 }
    var state = UInt32(truncatingIfNeeded: bytes.count) &* 2_654_435_761 | 1
    let segmented = decode(bytes) {
        state ^= state << 13
        state ^= state >> 17
        state ^= state << 5
        return Int(state % 16) + 1
    }
    fuzzCheck(whole == byByte, "whole: \(whole); byte by byte: \(byByte)")
    fuzzCheck(whole == segmented, "whole: \(whole); in segments: \(segmented)")
    return whole
}
