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
    private let lock = Lock()
    private var value: Value

    public init(_ value: Value) {
        self.value = value
    }

    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }

    /// A copy of the value as it is now.
    public var current: Value {
        withLock { $0 }
    }
}
