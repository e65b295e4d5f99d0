#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file could not be read, with the operating system's reason
/// (`No such file or directory`, `Permission denied`).
public struct FileReadError: Error, CustomStringConvertible, Sendable, Equatable {
    public let path: String
    /// Why, as the system describes it, e.g. `No such file or directory`.
    public let reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    /// The error for a failed system call, using `strerror` for the reason.
    public init(path: String, errorNumber: Int32) {
        self.init(path: path, reason: String(cString: strerror(errorNumber)))
    }

    public var description: String {
        "cannot read \"\(path)\": \(reason)"
    }
}
