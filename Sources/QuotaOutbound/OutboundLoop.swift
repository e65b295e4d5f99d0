import CQuotaSystem
import Glibc
import Synchronization

/// The one place that owns every transfer: a curl multi handle driven by
/// curl's multi-socket API from an epoll loop on a thread of its own.
///
/// curl tells the loop which sockets to watch (`CURLMOPT_SOCKETFUNCTION`)
/// and when to call back (`CURLMOPT_TIMERFUNCTION`); the loop sleeps in
/// `epoll_wait` until a socket is ready, the timer is due, or the eventfd
/// says a request was added or cancelled. No thread per request, no polling.
///
/// Why its own thread and not the listener's loop: the listener's loop must
/// answer `/metrics` within milliseconds whatever the providers do, and
/// curl's callbacks do real work (TLS handshakes, decompression, copying
/// bodies) that would sit between a scrape and its answer. A second loop
/// costs one thread and two descriptors, keeps the two failure domains
/// apart, and leaves `QuotaHTTP` free of any curl dependency.
///
/// Everything but the mailbox is touched only by the loop thread, which is
/// what makes the `@unchecked Sendable` sound.
final class OutboundLoop: @unchecked Sendable {
    enum Message: Sendable {
        case add(Transfer)
        case cancel(Transfer)
        case stop
    }

    private struct Mailbox {
        var messages: [Message] = []
        var closed = false
    }

    private let mailbox = Mutex(Mailbox())
    private let wakeFD: Int32
    private let epollFD: Int32
    private let multi: OpaquePointer

    // Loop thread only.
    private var transfers: [OpaquePointer: Transfer] = [:]
    private var watched: [Int32: UInt32] = [:]
    private var deadline: ContinuousClock.Instant?

    init(maxConcurrency: Int) throws(OutboundError) {
        try CurlRuntime.load()
        let epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epollFD >= 0 else { throw OutboundError(.unavailable, "epoll_create1: \(String(cString: strerror(errno)))") }
        let wakeFD = eventfd(0, Int32(EFD_CLOEXEC | EFD_NONBLOCK))
        guard wakeFD >= 0 else {
            close(epollFD)
            throw OutboundError(.unavailable, "eventfd: \(String(cString: strerror(errno)))")
        }
        guard let multi = cqs_curl_multi_init() else {
            close(epollFD)
            close(wakeFD)
            throw OutboundError(.unavailable, "curl_multi_init failed")
        }
        self.epollFD = epollFD
        self.wakeFD = wakeFD
        self.multi = multi

        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.fd = wakeFD
        _ = epoll_ctl(epollFD, EPOLL_CTL_ADD, wakeFD, &event)

        let me = Unmanaged.passUnretained(self).toOpaque()
        let limit = max(1, maxConcurrency)
        _ = cqs_curl_multi_setopt_socket_callback(multi, Self.socketCallback)
        _ = cqs_curl_multi_setopt_pointer(multi, CQS_CURLMOPT_SOCKETDATA, me)
        _ = cqs_curl_multi_setopt_timer_callback(multi, Self.timerCallback)
        _ = cqs_curl_multi_setopt_pointer(multi, CQS_CURLMOPT_TIMERDATA, me)
        // The configured concurrency is the only cap: no lower per-host one
        // (URLSession's hidden 6), and idle connections kept for reuse.
        _ = cqs_curl_multi_setopt_long(multi, CQS_CURLMOPT_MAX_HOST_CONNECTIONS, limit)
        _ = cqs_curl_multi_setopt_long(multi, CQS_CURLMOPT_MAX_TOTAL_CONNECTIONS, limit)
        _ = cqs_curl_multi_setopt_long(multi, CQS_CURLMOPT_MAXCONNECTS, limit)
        _ = cqs_curl_multi_setopt_long(multi, CQS_CURLMOPT_PIPELINING, Int(CQS_CURLPIPE_MULTIPLEX))
    }

    /// Queues `message` for the loop and wakes it. False once the loop is
    /// stopping: the caller answers its request itself.
    @discardableResult
    func post(_ message: Message) -> Bool {
        // The wake-up is written under the lock: once `closed` is set no
        // write can follow, so none can land on the descriptor number after
        // the loop closed it and something else reused it.
        mailbox.withLock { box in
            if box.closed { return false }
            box.messages.append(message)
            if case .stop = message { box.closed = true }
            var one: UInt64 = 1
            _ = write(wakeFD, &one, MemoryLayout<UInt64>.size)
            return true
        }
    }

    /// Starts the loop thread, which keeps the loop alive until it stops.
    func start() throws(OutboundError) -> pthread_t {
        var thread = pthread_t()
        let retained = Unmanaged.passRetained(self).toOpaque()
        // The loop thread blocks every signal: a handler interrupting it
        // inside curl (EINTR in the middle of a TLS read, say) buys nothing,
        // and the exporter's own handler (SignalWatcher) runs on whichever
        // other thread the kernel picks. Set on the creating thread around
        // pthread_create, so the new thread starts with the mask and no
        // signal can slip in first.
        var all = sigset_t()
        var previous = sigset_t()
        sigfillset(&all)
        pthread_sigmask(SIG_BLOCK, &all, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        let code = pthread_create(&thread, nil, { raw in
            let loop = Unmanaged<OutboundLoop>.fromOpaque(raw!).takeRetainedValue()
            cqs_name_current_thread("quota-outbound")
            loop.run()
            return nil
        }, retained)
        guard code == 0 else {
            Unmanaged<OutboundLoop>.fromOpaque(retained).release()
            throw OutboundError(.unavailable, "pthread_create: \(String(cString: strerror(code)))")
        }
        return thread
    }

    // MARK: - Loop thread

    private func run() {
        let capacity = 64
        var events = [epoll_event](repeating: epoll_event(), count: capacity)
        var stopping = false
        while !stopping {
            let count = events.withUnsafeMutableBufferPointer { buffer in
                epoll_wait(epollFD, buffer.baseAddress, Int32(capacity), waitMilliseconds())
            }
            if count < 0 {
                if errno == EINTR { continue }
                // Cannot happen with valid descriptors; failing every
                // request beats spinning on a broken epoll.
                break
            }
            for index in 0..<Int(count) {
                let fd = events[index].data.fd
                let flags = events[index].events
                if fd == wakeFD {
                    var counter: UInt64 = 0
                    _ = read(wakeFD, &counter, MemoryLayout<UInt64>.size)
                    stopping = drainMailbox() || stopping
                    continue
                }
                // A socket curl dropped earlier in this batch: nothing to report.
                guard watched[fd] != nil else { continue }
                var mask: Int32 = 0
                if flags & (EPOLLIN.rawValue | EPOLLHUP.rawValue) != 0 { mask |= Int32(CQS_CURL_CSELECT_IN) }
                if flags & EPOLLOUT.rawValue != 0 { mask |= Int32(CQS_CURL_CSELECT_OUT) }
                if flags & EPOLLERR.rawValue != 0 { mask |= Int32(CQS_CURL_CSELECT_ERR) }
                act(on: fd, mask)
            }
            if let due = deadline, due <= .now {
                deadline = nil
                act(on: Int32(CQS_CURL_SOCKET_TIMEOUT), 0)
            }
            collectFinished()
        }
        tearDown()
    }

    private func act(on fd: Int32, _ mask: Int32) {
        var running: Int32 = 0
        _ = cqs_curl_multi_socket_action(multi, fd, mask, &running)
    }

    /// How long epoll may sleep: until curl's timer, or forever without one.
    private func waitMilliseconds() -> Int32 {
        guard let due = deadline else { return -1 }
        let left = due - .now
        if left <= .zero { return 0 }
        let (seconds, attoseconds) = left.components
        let milliseconds = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: milliseconds)
    }

    /// Returns true when told to stop.
    private func drainMailbox() -> Bool {
        let messages = mailbox.withLock { box in
            defer { box.messages.removeAll() }
            return box.messages
        }
        var stop = false
        for message in messages {
            switch message {
            case .add(let transfer):
                add(transfer)
            case .cancel(let transfer):
                guard transfers[transfer.easy] === transfer else { continue }
                remove(transfer)
                finish(transfer, .failure(OutboundError(.cancelled, "request cancelled")))
            case .stop:
                stop = true
            }
        }
        return stop
    }

    private func add(_ transfer: Transfer) {
        if transfer.cancelRequested.load(ordering: .acquiring) {
            finish(transfer, .failure(OutboundError(.cancelled, "request cancelled")))
            return
        }
        transfers[transfer.easy] = transfer
        let code = cqs_curl_multi_add_handle(multi, transfer.easy)
        if code != 0 {
            transfers[transfer.easy] = nil
            finish(transfer, .failure(OutboundError(.unavailable, "curl_multi_add_handle: \(String(cString: cqs_curl_multi_strerror(code)))")))
        }
    }

    private func remove(_ transfer: Transfer) {
        transfers[transfer.easy] = nil
        _ = cqs_curl_multi_remove_handle(multi, transfer.easy)
    }

    private func collectFinished() {
        var easy: OpaquePointer?
        var code: Int32 = 0
        while cqs_curl_multi_next_done(multi, &easy, &code) == 1 {
            guard let handle = easy, let transfer = transfers[handle] else { continue }
            remove(transfer)
            finish(transfer, CurlOutcome.result(of: transfer, code: code))
        }
    }

    private func finish(_ transfer: Transfer, _ result: Result<OutboundResponse, OutboundError>) {
        let continuation = transfer.continuation
        transfer.continuation = nil
        continuation?.resume(returning: result)
    }

    private func tearDown() {
        for transfer in Array(transfers.values) {
            remove(transfer)
            finish(transfer, .failure(OutboundError(.unavailable, "HTTP client shut down")))
        }
        // Adds that raced with the stop message.
        let late = mailbox.withLock { box in
            box.closed = true
            defer { box.messages.removeAll() }
            return box.messages
        }
        for case .add(let transfer) in late {
            finish(transfer, .failure(OutboundError(.unavailable, "HTTP client shut down")))
        }
        _ = cqs_curl_multi_cleanup(multi)
        close(epollFD)
        close(wakeFD)
    }

    // MARK: - curl's callbacks (loop thread, inside curl calls)

    fileprivate func watch(_ fd: Int32, _ what: Int32) {
        if what == Int32(CQS_CURL_POLL_REMOVE) {
            if watched.removeValue(forKey: fd) != nil {
                _ = epoll_ctl(epollFD, EPOLL_CTL_DEL, fd, nil)
            }
            return
        }
        var interest: UInt32 = 0
        if what & Int32(CQS_CURL_POLL_IN) != 0 { interest |= EPOLLIN.rawValue }
        if what & Int32(CQS_CURL_POLL_OUT) != 0 { interest |= EPOLLOUT.rawValue }
        var event = epoll_event()
        event.events = interest
        event.data.fd = fd
        let known = watched[fd] != nil
        if epoll_ctl(epollFD, known ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &event) != 0 {
            // The descriptor number was reused behind our back, or closed
            // and reopened: try the other operation once.
            _ = epoll_ctl(epollFD, known ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &event)
        }
        watched[fd] = interest
    }

    fileprivate func setTimer(milliseconds: Int) {
        deadline = milliseconds < 0 ? nil : .now + .milliseconds(milliseconds)
    }

    private static let socketCallback: cqs_socket_callback = { _, fd, what, user, _ in
        guard let user else { return 0 }
        Unmanaged<OutboundLoop>.fromOpaque(user).takeUnretainedValue().watch(fd, what)
        return 0
    }

    private static let timerCallback: cqs_timer_callback = { _, milliseconds, user in
        guard let user else { return 0 }
        Unmanaged<OutboundLoop>.fromOpaque(user).takeUnretainedValue().setTimer(milliseconds: milliseconds)
        return 0
    }
}
