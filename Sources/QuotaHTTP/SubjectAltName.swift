import CQuotaSystem

/// A certificate's subject alternative name as a string, the way Go's
/// crypto/x509 exposes it, so `client_allowed_sans` entries written for
/// exporter-toolkit match the same certificates here.
enum SubjectAltName {
    static func goString(kind: Int, bytes: UnsafeRawBufferPointer) -> String? {
        switch kind {
        case CQS_SAN_DNS, CQS_SAN_EMAIL, CQS_SAN_URI:
            // IA5String: ASCII. Go refuses a certificate with anything else.
            guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
            return String(decoding: bytes, as: UTF8.self)
        case CQS_SAN_IP:
            return ipString(Array(bytes))
        default:
            return nil
        }
    }

    /// Go's `net.IP.String()`: dotted quad for IPv4 and IPv4-mapped IPv6,
    /// else RFC 5952 (lower-case hex, the first longest run of two or more
    /// zero groups as `::`). Nil for lengths Go's x509 refuses.
    static func ipString(_ bytes: [UInt8]) -> String? {
        if bytes.count == 4 {
            return bytes.map(String.init).joined(separator: ".")
        }
        guard bytes.count == 16 else { return nil }
        if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xff, bytes[11] == 0xff {
            return bytes[12...].map(String.init).joined(separator: ".")
        }
        let groups = (0..<8).map { UInt16(bytes[2 * $0]) << 8 | UInt16(bytes[2 * $0 + 1]) }
        var bestStart = -1
        var bestLength = 0
        var index = 0
        while index < 8 {
            guard groups[index] == 0 else {
                index += 1
                continue
            }
            var end = index
            while end < 8, groups[end] == 0 { end += 1 }
            if end - index > bestLength {
                bestStart = index
                bestLength = end - index
            }
            index = end
        }
        if bestLength < 2 { bestStart = -1 }
        var text = ""
        index = 0
        while index < 8 {
            if index == bestStart {
                text += "::"
                index += bestLength
                continue
            }
            if !text.isEmpty, !text.hasSuffix(":") { text += ":" }
            text += String(groups[index], radix: 16)
            index += 1
        }
        return text
    }
}
