#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value guarded by a lock: the little mutable state shared between the
/// event-loop thread, HTTP handlers, provider tasks and scrapes.
///
/// A lock rather than an actor because its callers are synchronous (the
/// event loop, a handler answering a request) and hold it for microseconds;
/// the closure form makes forgetting to unlock impossible. A pthread mutex
/// rather than `Synchronization.Mutex` because `Mutex.withLock` demands a
/// `sending` result, which callers returning non-`Sendable` values (builders,
/// closures) cannot give.
public final class Locked<Value: Sendable>: @unchecked Sendable {
    /// Heap-allocated: a pthread mutex must not move once initialised.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    public init(_ value: Value) {
        self.value = value
        mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }

    /// A copy of the value as it is now.
    public var current: Value {
        withLock { $0 }
    }
}
