/// The few ASCII helpers the client needs, without Foundation.
enum ASCII {
    static func lowercased(_ text: String) -> String {
        String(decoding: text.utf8.map { (65...90).contains($0) ? $0 + 32 : $0 }, as: UTF8.self)
    }

    static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var slice = bytes
        while let first = slice.first, first == 32 || first == 9 || first == 13 || first == 10 { slice.removeFirst() }
        while let last = slice.last, last == 32 || last == 9 || last == 13 || last == 10 { slice.removeLast() }
        return slice
    }

    /// CR, LF and NUL would let a value end one header and start another.
    static func isSafeFieldText(_ text: String) -> Bool {
        !text.utf8.contains { $0 == 13 || $0 == 10 || $0 == 0 }
    }
}
