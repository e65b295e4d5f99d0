/// Bytes from a hex string such as a test vector; whitespace is ignored so
/// long vectors can be wrapped. Traps on malformed input: that is a bug in
/// the test, not in the code under test.
func bytes(hex text: String) -> [UInt8] {
    let digits = Array(text.filter { !$0.isWhitespace })
    precondition(digits.count % 2 == 0, "odd number of hex digits")
    return stride(from: 0, to: digits.count, by: 2).map { index in
        guard let byte = UInt8(String(digits[index...index + 1]), radix: 16) else {
            preconditionFailure("not hex: \(digits[index...index + 1])")
        }
        return byte
    }
}
