#if canImport(Glibc)
import Glibc
#endif

/// The one place system calls are made fallible: a `-1` result becomes a
/// `SocketError` carrying `errno`, and `EINTR` is retried, because a signal
/// arriving on the event-loop thread must never look like a failed read.
enum Syscall {
    @discardableResult
    static func call<Result: BinaryInteger>(
        _ name: String,
        context: String? = nil,
        _ body: () -> Result
    ) throws(SocketError) -> Result {
        while true {
            let result = body()
            if result != -1 {
                return result
            }
            let code = errno
            if code == EINTR {
                continue
            }
            throw SocketError(call: name, errno: code, context: context)
        }
    }
}
