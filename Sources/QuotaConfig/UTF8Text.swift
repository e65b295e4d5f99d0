/// Strict UTF-8 decoding: `String(decoding:as:)` silently replaces invalid
/// bytes with U+FFFD, which would turn a corrupt secret file or a broken
/// document into a slightly different value instead of an error.
enum UTF8Text {
    /// The text, or nil if `bytes` is not valid UTF-8.
    static func decode(_ bytes: some Collection<UInt8>) -> String? {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return String(decoding: bytes, as: UTF8.self)
            case .error: return nil
            }
        }
    }
}
