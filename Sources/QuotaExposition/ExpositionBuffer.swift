/// The growing response body.
///
/// Everything is appended as bytes into one preallocated array: a 10 000
/// series scrape should cost one allocation for the body, not one String
/// per line.
struct ExpositionBuffer {
    private(set) var bytes: [UInt8]

    init(reservingCapacity capacity: Int) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Names, keywords and punctuation: already valid, written as they are.
    mutating func append(_ text: String) {
        text.withUTF8Bytes { bytes.append(contentsOf: $0) }
    }

    mutating func append(byte: UInt8) {
        bytes.append(byte)
    }

    mutating func append(value: Double) {
        SampleValueText.append(value, to: &bytes)
    }

    /// Escapes `\` and newline always, and `"` when `escapingQuotes`: label
    /// values need it in both formats, HELP text only in OpenMetrics (in
    /// text 0.0.4 a `\"` in HELP would be read back as two characters).
    mutating func appendEscaped(_ text: String, escapingQuotes: Bool) {
        text.withUTF8Bytes { utf8 in
            let needsEscaping = utf8.contains { byte in
                byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "\n")
                    || (escapingQuotes && byte == UInt8(ascii: "\""))
            }
            if needsEscaping {
                appendEscaping(utf8, escapingQuotes: escapingQuotes)
            } else {
                bytes.append(contentsOf: utf8)
            }
        }
    }

    private mutating func appendEscaping(_ utf8: UnsafeBufferPointer<UInt8>, escapingQuotes: Bool) {
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "\\"):
                bytes.append(contentsOf: #"\\"#.utf8)
            case UInt8(ascii: "\n"):
                bytes.append(contentsOf: #"\n"#.utf8)
            case UInt8(ascii: "\"") where escapingQuotes:
                bytes.append(contentsOf: #"\""#.utf8)
            default:
                bytes.append(byte)
            }
        }
    }
}
