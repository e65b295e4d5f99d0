import QuotaConcurrency

/// A value recomputed only when older than `maxAge` seconds; for readings
/// that are costly to take and change little within that time.
final class ReusedValue<Value: Sendable>: @unchecked Sendable {
    private let lock = Lock()
    private let maxAge: Double
    private var cached: (value: Value?, at: Double)?

    init(maxAge: Double) {
        self.maxAge = maxAge
    }

    /// `now` is monotonic seconds; `compute` runs outside the lock.
    func value(now: Double, compute: () -> Value?) -> Value? {
        if let cached = lock.withLock({ cached }), now - cached.at < maxAge, now >= cached.at {
            return cached.value
        }
        let fresh = compute()
        lock.withLock { cached = (fresh, now) }
        return fresh
    }
}
