#if canImport(Glibc)
import Glibc
#endif

/// Process-wide signal setup the server relies on.
enum ProcessSignals {
    /// A client vanishing mid-response must cost one connection, not the
    /// process: writes also use `MSG_NOSIGNAL`, but ignoring SIGPIPE once
    /// covers any write path that forgets it.
    private static let sigpipeIgnored: Bool = {
        signal(SIGPIPE, SIG_IGN)
        return true
    }()

    static func ignoreSIGPIPE() {
        _ = sigpipeIgnored
    }
}
