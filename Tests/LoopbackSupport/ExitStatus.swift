import Glibc

/// How a child ended, decoded from `waitpid`'s status word (Swift cannot
/// call the `WIFEXITED` macros).
public enum ExitStatus: Sendable, Equatable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)

    init(waitStatus status: Int32) {
        // WIFEXITED: the low 7 bits are 0; WTERMSIG otherwise (no
        // WUNTRACED here, so a stopped child is never reported).
        self = status & 0x7f == 0 ? .exited((status >> 8) & 0xff) : .signaled(status & 0x7f)
    }

    /// The exit code, or -1 for a child a signal ended: what
    /// `Spawned.closeInputAndWait` always returned, so `== 0` means exited cleanly.
    public var code: Int32 {
        switch self {
        case .exited(let code): code
        case .signaled: -1
        }
    }

    public var description: String {
        switch self {
        case .exited(let code): "exit \(code)"
        case .signaled(let signal): "signal \(signal)"
        }
    }
}
