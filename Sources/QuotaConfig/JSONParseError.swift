/// Why a document is not valid JSON, and where.
///
/// Line and column are 1-based; the column counts Unicode scalars, which is
/// what an editor shows for a UTF-8 file. Messages quote at most a single
/// character or an object key, never a string value, so a malformed file
/// holding a secret cannot leak it.
public struct JSONParseError: Error, CustomStringConvertible, Sendable, Equatable {
    public let line: Int
    public let column: Int
    public let message: String

    public init(line: Int, column: Int, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    /// Builds the error for a byte offset, computing line and column only
    /// now so the parser's hot path does not track them.
    init(message: String, offset: Int, in bytes: [UInt8]) {
        let location = ConfigSourceLocation(offset: offset, in: bytes)
        self.init(line: location.line, column: location.column, message: message)
    }

    public var description: String {
        "line \(line), column \(column): \(message)"
    }
}
