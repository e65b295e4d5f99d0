/// A parsed `Accept-Encoding` header (RFC 9110 §12.5.3): codings with
/// their q-values, in the order sent.
///
/// Strict like the rest of the request parsing: a list element that is not
/// `token [; q=qvalue]` makes the whole header malformed (nil), and the
/// caller then answers identity, which every client can read.
public struct AcceptEncoding: Sendable, Hashable {
    public struct Entry: Sendable, Hashable {
        /// Lowercased: coding names are case-insensitive.
        public var coding: String
        /// 0...1; 1 when no `q` was given.
        public var quality: Double
    }

    public var entries: [Entry]

    /// The highest q-value given to `coding` (lowercase), nil when it is
    /// not named.
    public func quality(of coding: String) -> Double? {
        entries.lazy.filter { $0.coding == coding }.map(\.quality).max()
    }

    /// Nil when malformed. An empty header (or only commas) is a valid,
    /// empty list: the client asks for no coding.
    public static func parse(_ header: String) -> AcceptEncoding? {
        var entries: [Entry] = []
        for element in Array(header.utf8).split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
            let parts = element.split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: false)
            let coding = HTTPSyntax.trimmingWhitespace(parts[0])
            if coding.isEmpty && parts.count == 1 { continue }  // `a, , b` has an empty element, which RFC 9110 §5.6.1 allows
            guard HTTPSyntax.isToken(coding), parts.count <= 2 else { return nil }
            var quality = 1.0
            if parts.count == 2 {
                guard let value = qvalue(HTTPSyntax.trimmingWhitespace(parts[1])) else { return nil }
                quality = value
            }
            entries.append(Entry(coding: String(decoding: coding, as: UTF8.self).lowercased(), quality: quality))
        }
        return AcceptEncoding(entries: entries)
    }

    /// `q=` then `0[.ddd]` or `1[.000]` (RFC 9110 §12.4.2); `Q=` too, since
    /// parameter names are case-insensitive.
    private static func qvalue(_ weight: ArraySlice<UInt8>) -> Double? {
        let bytes = Array(weight)
        guard bytes.count >= 3, bytes[0] | 0x20 == UInt8(ascii: "q"), bytes[1] == UInt8(ascii: "=") else { return nil }
        let number = bytes[2...]
        guard let first = number.first, first == UInt8(ascii: "0") || first == UInt8(ascii: "1") else { return nil }
        let fraction = number.dropFirst()
        var value = Double(first - UInt8(ascii: "0"))
        if fraction.isEmpty { return value }
        guard fraction.first == UInt8(ascii: "."), fraction.count <= 4 else { return nil }
        var scale = 0.1
        for digit in fraction.dropFirst() {
            guard HTTPSyntax.isDigit(digit) else { return nil }
            value += Double(digit - UInt8(ascii: "0")) * scale
            scale /= 10
        }
        return value <= 1 ? value : nil
    }
}
