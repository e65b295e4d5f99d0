import CQuotaSystem

/// A piece of a gzip body compressed on its own: raw DEFLATE ended by a
/// sync flush, with the CRC-32 and length of what it holds.
///
/// Pieces compressed apart can be written back to back as one gzip
/// member (`GzipBody`), so a body of cached and fresh parts is compressed
/// only in its fresh parts: the cached parts keep their compressed bytes
/// from one collection to the next.
public struct GzipPart: Sendable {
    public let deflated: [UInt8]
    public let crc: UInt32
    /// Uncompressed length.
    public let count: Int
    /// zlib's operator that appends this part's CRC to another
    /// (`cqs_zlib_crc32_combine_gen`), made once with the part, so that
    /// combining the CRCs of a body's parts at every scrape costs a
    /// multiplication each instead of over a thousand instructions.
    public let combineOp: UInt32

    /// Level 6, zlib's default, for parts compressed once and served many
    /// times; level 1 for the small parts compressed at every scrape.
    public static let cachedLevel: Int32 = 6
    public static let freshLevel: Int32 = 1
    /// Stored blocks: the bytes framed as they are, for a small part made
    /// at every scrape. Level 1 cost about 100 k instructions for the 1 KB
    /// of process metrics (callgrind, zlib 1.2.13), most of it whatever the
    /// size, to save 680 bytes; storing costs about 6 k.
    public static let storedLevel: Int32 = 0

    /// Nil when zlib is unavailable or fails (the caller then answers identity).
    public static func compress(_ chunks: [[UInt8]], level: Int32) -> GzipPart? {
        if chunks.count == 1 { return compress(chunks[0], level: level) }
        var joined: [UInt8] = []
        joined.reserveCapacity(chunks.reduce(0) { $0 + $1.count })
        for chunk in chunks { joined.append(contentsOf: chunk) }
        return compress(joined, level: level)
    }

    public static func compress(_ bytes: [UInt8], level: Int32) -> GzipPart? {
        // Stored blocks cost 5 bytes per 16 KiB; start there and grow if zlib asks.
        var capacity = bytes.count + bytes.count / 8 + 64
        while capacity < Int.max / 4 {
            var output = [UInt8](repeating: 0, count: capacity)
            let written = bytes.withUnsafeBufferPointer { input in
                output.withUnsafeMutableBufferPointer { out in
                    cqs_zlib_deflate_part(level, input.baseAddress, input.count, out.baseAddress, out.count)
                }
            }
            if written == -1 {
                capacity *= 2
                continue
            }
            guard written >= 0 else { return nil }
            output.removeSubrange(Int(written)...)
            let crc = bytes.withUnsafeBufferPointer { cqs_zlib_crc32(0, $0.baseAddress, $0.count) }
            return GzipPart(deflated: output, crc: crc, count: bytes.count, combineOp: cqs_zlib_crc32_combine_gen(UInt64(bytes.count)))
        }
        return nil
    }
}
