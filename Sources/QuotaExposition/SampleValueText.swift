/// Writes sample values so that Prometheus (Go's `strconv.ParseFloat`) reads
/// back exactly the same Double.
///
/// Integral values print as plain integers (`42`, `-3`, `-0`) because quota
/// limits and usages mostly are integers and `42.0` would look odd; anything
/// else uses Swift's shortest round-trip representation (`0.1`, `1.5e-07`,
/// `1e+20`), which is valid Go float syntax. No Foundation formatters: they
/// are slow and locale-dependent.
enum SampleValueText {
    /// Below this every integral Double converts exactly to Int64 and Swift
    /// would have printed it without an exponent anyway.
    private static let plainIntegerLimit = 1e15

    static func append(_ value: Double, to bytes: inout [UInt8]) {
        if value.isNaN {
            bytes.append(contentsOf: "NaN".utf8)
        } else if value.isInfinite {
            bytes.append(contentsOf: (value < 0 ? "-Inf" : "+Inf").utf8)
        } else if value.magnitude < plainIntegerLimit && value.rounded(.towardZero) == value {
            appendInteger(value, to: &bytes)
        } else {
            appendShortest(value, to: &bytes)
        }
    }

    /// The text for one value; for tests and log messages, not the hot path.
    static func text(for value: Double) -> String {
        var bytes: [UInt8] = []
        append(value, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Digits written backwards then reversed in place: no temporary String.
    /// The sign comes from the sign bit so `-0.0` stays `-0`.
    private static func appendInteger(_ value: Double, to bytes: inout [UInt8]) {
        if value.sign == .minus {
            bytes.append(UInt8(ascii: "-"))
        }
        var remaining = UInt64(value.magnitude)
        let firstDigit = bytes.count
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(remaining % 10))
            remaining /= 10
        } while remaining > 0
        bytes[firstDigit...].reverse()
    }

    /// Swift's `description` is the shortest text that round-trips. It writes
    /// integral values up to 2^53 as `…0.0`; the `.0` is dropped because it
    /// is noise and the integer parses to the same Double.
    /// Copied from the text's contiguous UTF-8: through `String.UTF8View`
    /// the copy cost a third of the whole.
    private static func appendShortest(_ value: Double, to bytes: inout [UInt8]) {
        value.description.withUTF8Bytes { text in
            let count = text.count
            if count > 2, text[count - 1] == UInt8(ascii: "0"), text[count - 2] == UInt8(ascii: ".") {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[..<(count - 2)]))
            } else {
                bytes.append(contentsOf: text)
            }
        }
    }
}
