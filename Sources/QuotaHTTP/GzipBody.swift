import CQuotaSystem

/// One gzip member (RFC 1952) made of separately compressed parts, as
/// body chunks: the 10-byte header, each part's DEFLATE bytes as they are
/// (not copied), then a final empty block and the trailer (CRC-32 of the
/// whole, combined from the parts' CRCs, and the length mod 2^32).
///
/// One member rather than one per part, because some decoders stop after
/// the first member.
public enum GzipBody {
    /// Magic, CM=8 (deflate), no flags, MTIME 0 (none: the same bytes give
    /// the same body), XFL 0, OS 255 (unknown).
    static let header: [UInt8] = [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF]

    public static func chunks(_ parts: [GzipPart]) -> [[UInt8]] {
        var chunks: [[UInt8]] = [header]
        chunks.reserveCapacity(parts.count + 2)
        var crc: UInt32 = 0
        var length: UInt64 = 0
        for part in parts where part.count > 0 {
            chunks.append(part.deflated)
            crc = length == 0 ? part.crc : cqs_zlib_crc32_combine_op(crc, part.crc, part.combineOp, UInt64(part.count))
            length += UInt64(part.count)
        }
        // A fixed-Huffman block with BFINAL set and only end-of-block: 10 bits.
        var trailer: [UInt8] = [0x03, 0x00]
        for shift in stride(from: 0, to: 32, by: 8) { trailer.append(UInt8(truncatingIfNeeded: crc >> UInt32(shift))) }
        let size = UInt32(truncatingIfNeeded: length)
        for shift in stride(from: 0, to: 32, by: 8) { trailer.append(UInt8(truncatingIfNeeded: size >> UInt32(shift))) }
        chunks.append(trailer)
        return chunks
    }
}
