/// A 1-based line and column in a configuration file; the column counts
/// Unicode scalars, as an editor shows them.
public struct ConfigSourceLocation: Sendable, Hashable, CustomStringConvertible {
    public let line: Int
    public let column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    /// The location of byte `offset` in `bytes`, counted only when an error
    /// needs it so parsing never pays for it.
    public init(offset: Int, in bytes: [UInt8]) {
        var line = 1
        var column = 1
        for byte in bytes[..<max(0, min(offset, bytes.count))] {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {  // not a UTF-8 continuation byte
                column += 1
            }
        }
        self.init(line: line, column: column)
    }

    public var description: String {
        "line \(line), column \(column)"
    }
}
