#if canImport(Glibc)
import Glibc
#endif
import QuotaConcurrency

/// The only way into the event loop from another thread: a locked queue of
/// messages plus an eventfd that wakes `epoll_wait` when one is posted.
final class LoopMailbox: Sendable {
    private struct Queue: Sendable {
        var messages: [LoopMessage] = []
        var closed = false
    }

    let eventFD: Int32
    private let queue = Locked(Queue())

    init() throws(SocketError) {
        eventFD = try Syscall.call("eventfd") { LinuxAPI.eventfd(0, O_NONBLOCK | O_CLOEXEC) }
    }

    /// Queues `message` and wakes the loop; dropped once the loop has
    /// stopped (a slow handler may finish after shutdown).
    func post(_ message: LoopMessage) {
        queue.withLock { queue in
            guard !queue.closed else { return }
            queue.messages.append(message)
            var one: UInt64 = 1
            // Cannot fail short of counter overflow; the lock keeps the fd
            // from being closed underneath us.
            _ = try? Syscall.call("write(eventfd)") { write(eventFD, &one, 8) }
        }
    }

    /// Everything posted so far; clears the wake-up.
    func takeAll() -> [LoopMessage] {
        var counter: UInt64 = 0
        _ = try? Syscall.call("read(eventfd)") { read(eventFD, &counter, 8) }
        return queue.withLock { queue in
            defer { queue.messages.removeAll() }
            return queue.messages
        }
    }

    func close() {
        queue.withLock { queue in
            queue.closed = true
            queue.messages.removeAll()
            _ = Glibc.close(eventFD)
        }
    }
}
