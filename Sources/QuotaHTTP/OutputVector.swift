#if canImport(Glibc)
import Glibc
#endif

/// Gathers pending chunks into an iovec list for one `sendmsg` with
/// `MSG_NOSIGNAL` (`writev` has no such flag, and a vanished client must
/// never raise SIGPIPE).
enum OutputVector {
    /// At most this many chunks per call; the rest go in the next one.
    /// A scrape body is one chunk per metric family (about 25) plus the head.
    static let maxChunks = 64

    static func send(_ chunks: [[UInt8]], firstOffset: Int, to fd: Int32) -> Int {
        var vectors: [iovec] = []
        vectors.reserveCapacity(min(chunks.count, maxChunks))
        return withIOVectors(chunks, count: min(chunks.count, maxChunks), firstOffset: firstOffset, into: &vectors) { vectors in
            vectors.withUnsafeMutableBufferPointer { buffer in
                var message = msghdr()
                message.msg_iov = buffer.baseAddress
                message.msg_iovlen = buffer.count
                return Glibc.sendmsg(fd, &message, Int32(MSG_NOSIGNAL))
            }
        }
    }

    /// Pins each chunk's storage for the duration of the call, recursively,
    /// because `withUnsafeBytes` only guarantees an address inside its closure.
    private static func withIOVectors(
        _ chunks: [[UInt8]],
        count: Int,
        firstOffset: Int,
        into vectors: inout [iovec],
        _ body: (inout [iovec]) -> Int
    ) -> Int {
        let index = vectors.count
        if index == count {
            return body(&vectors)
        }
        return chunks[index].withUnsafeBytes { bytes in
            let skip = index == 0 ? firstOffset : 0
            vectors.append(iovec(
                iov_base: bytes.baseAddress.map { UnsafeMutableRawPointer(mutating: $0 + skip) },
                iov_len: bytes.count - skip
            ))
            return withIOVectors(chunks, count: count, firstOffset: firstOffset, into: &vectors, body)
        }
    }
}
