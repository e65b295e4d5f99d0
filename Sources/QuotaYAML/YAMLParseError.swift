import QuotaConfig

/// Why a document is not YAML this exporter reads, and where.
///
/// Line and column are 1-based, the column in Unicode scalars. Messages
/// quote at most one character or a short key, never a value, so a broken
/// file holding a secret cannot leak it into the log.
public struct YAMLParseError: Error, CustomStringConvertible, Sendable, Equatable {
    public let line: Int
    public let column: Int
    public let message: String

    public init(line: Int, column: Int, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    init(message: String, offset: Int, in bytes: [UInt8]) {
        let location = ConfigSourceLocation(offset: offset, in: bytes)
        self.init(line: location.line, column: location.column, message: message)
    }

    public var description: String {
        "line \(line), column \(column): \(message)"
    }
}
