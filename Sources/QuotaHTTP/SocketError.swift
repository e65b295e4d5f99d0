#if canImport(Glibc)
import Glibc
#endif

/// A failed system call, kept as a value so callers can decide by `errno`
/// (retry, close one connection, or give up) and logs say what failed where.
public struct SocketError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The system call that failed, e.g. `bind`.
    public let call: String
    public let errno: Int32
    /// What the call was about, e.g. the listen address; `nil` when obvious.
    public let context: String?

    public init(call: String, errno: Int32, context: String? = nil) {
        self.call = call
        self.errno = errno
        self.context = context
    }

    public var description: String {
        let message = String(cString: strerror(errno))
        if let context {
            return "\(call) \(context): \(message) (errno \(errno))"
        }
        return "\(call): \(message) (errno \(errno))"
    }

    /// The non-blocking socket has nothing more for us right now.
    var isWouldBlock: Bool {
        errno == EAGAIN || errno == EWOULDBLOCK
    }
}
