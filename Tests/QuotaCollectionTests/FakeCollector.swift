import Foundation
import QuotaCollection

/// A scriptable collector: each call takes the next scripted step (or the
/// last one again), can be delayed, and counts how often it ran and how
/// many ran at the same time.
final class FakeCollector: Collector, @unchecked Sendable {
    enum Step {
        case readings([QuotaReading])
        case failure(CollectorError)
    }

    private let lock = NSLock()
    private var steps: [Step]
    private var delay: Double
    private(set) var calls = 0
    private var running = 0
    private(set) var maxRunning = 0
    /// When set, the collector ignores cancellation and sleeps this long:
    /// a badly behaved provider the cache must not wait for.
    var stubbornDelay: Double?

    init(_ steps: [Step], delay: Double = 0) {
        self.steps = steps
        self.delay = delay
    }

    func setDelay(_ seconds: Double) {
        lock.lock()
        delay = seconds
        lock.unlock()
    }

    var callCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return calls
    }

    var peakConcurrency: Int {
        lock.lock()
        defer { lock.unlock() }
        return maxRunning
    }

    func collect() async throws(CollectorError) -> [QuotaReading] {
        let (step, wait, stubborn) = lock.withLock { () -> (Step, Double, Double?) in
            calls += 1
            running += 1
            maxRunning = max(maxRunning, running)
            let step = steps.count > 1 ? steps.removeFirst() : steps[0]
            return (step, delay, stubbornDelay)
        }
        defer { lock.withLock { running -= 1 } }
        if let stubborn {
            usleep(UInt32(stubborn * 1e6))
        } else if wait > 0 {
            try? await Task.sleep(nanoseconds: UInt64(wait * 1e9))
        }
        switch step {
        case .readings(let readings): return readings
        case .failure(let error): throw error
        }
    }
}

/// A wall clock tests move by hand.
final class ManualClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Double

    init(_ start: Double = 1_700_000_000) {
        current = start
    }

    var now: Double {
        lock.lock()
        defer { lock.unlock() }
        return current
    }

    func advance(_ seconds: Double) {
        lock.lock()
        current += seconds
        lock.unlock()
    }
}
