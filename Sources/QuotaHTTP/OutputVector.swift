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

    /// Sends from `chunks` (the first from `firstOffset`), at most `limit`
    /// bytes; returns what `sendmsg` returned.
    static func send(_ chunks: [[UInt8]], firstOffset: Int, limit: Int = .max, to fd: Int32) -> Int {
        let count = min(chunks.count, maxChunks)
        return withUnsafeTemporaryAllocation(of: iovec.self, capacity: count) { vectors in
            pin(chunks, from: 0, count: count, firstOffset: firstOffset, into: vectors) {
                var used = 0
                var total = 0
                while used < count, total < limit {
                    let take = min(vectors[used].iov_len, limit - total)
                    vectors[used].iov_len = take
                    total += take
                    used += 1
                }
                var message = msghdr()
                message.msg_iov = vectors.baseAddress
                message.msg_iovlen = used
                return Glibc.sendmsg(fd, &message, Int32(MSG_NOSIGNAL))
            }
        }
    }

    /// Pins each chunk's storage for the duration of the call, recursively,
    /// because `withUnsafeBytes` only guarantees an address inside its
    /// closure; the iovecs go into a stack buffer, not a growing array.
    private static func pin(
        _ chunks: [[UInt8]],
        from index: Int,
        count: Int,
        firstOffset: Int,
        into vectors: UnsafeMutableBufferPointer<iovec>,
        _ body: () -> Int
    ) -> Int {
        if index == count {
            return body()
        }
        return chunks[index].withUnsafeBytes { bytes in
            let skip = index == 0 ? firstOffset : 0
            vectors[index] = iovec(
                iov_base: bytes.baseAddress.map { UnsafeMutableRawPointer(mutating: $0 + skip) },
                iov_len: bytes.count - skip
            )
            return pin(chunks, from: index + 1, count: count, firstOffset: firstOffset, into: vectors, body)
        }
    }
}
