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

    /// Queues `message` and wakes the loop; false, and dropped, once the
    /// loop has stopped (a slow handler may finish after shutdown): the
    /// poster then still owns whatever the message carried.
    @discardableResult
    func post(_ message: LoopMessage) -> Bool {
        queue.withLock { queue in
            guard !queue.closed else { return false }
            queue.messages.append(message)
            var one: UInt64 = 1
            // Cannot fail short of counter overflow; the lock keeps the fd
            // from being closed underneath us.
            _ = try? Syscall.call("write(eventfd)") { write(eventFD, &one, 8) }
            return true
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

    /// Refuses further messages and returns those never taken, so the
    /// loop can close the sockets of clients handed to it too late.
    @discardableResult
    func close() -> [LoopMessage] {
        queue.withLock { queue in
            queue.closed = true
            defer { queue.messages.removeAll() }
            _ = Glibc.close(eventFD)
            return queue.messages
        }
    }
}
