import Dispatch
import QuotaConcurrency

/// Runs `operation` but stops waiting for it after `seconds`.
///
/// A task group cannot do this: it always awaits its children, so one
/// collector that ignores cancellation would hold up the caller forever.
/// Here the operation runs in its own task, is cancelled at the deadline,
/// and whatever it returns afterwards is dropped.
func withDeadline<Value: Sendable>(
    seconds: Double,
    _ operation: @escaping @Sendable () async -> Value
) async -> Value? {
    let gate = OnceGate<Value?>()
    let work = Task { await operation() }
    return await withTaskCancellationHandler {
        await withCheckedContinuation { (continuation: CheckedContinuation<Value?, Never>) in
            gate.arm(continuation)
            Task {
                let value = await work.value
                gate.resolve(value)
            }
            DispatchQueue.global().asyncAfter(deadline: .now() + max(0, seconds)) {
                if gate.resolve(nil) {
                    work.cancel()
                }
            }
        }
    } onCancel: {
        work.cancel()
        gate.resolve(nil)
    }
}

/// Resumes a continuation exactly once, from whichever side gets there first.
final class OnceGate<Value: Sendable>: @unchecked Sendable {
    private let lock = Lock()
    private var continuation: CheckedContinuation<Value, Never>?
    private var early: Value??
    private var done = false

    func arm(_ continuation: CheckedContinuation<Value, Never>) {
        lock.lock()
        if let early {
            lock.unlock()
            continuation.resume(returning: early!)
            return
        }
        self.continuation = continuation
        lock.unlock()
    }

    /// Returns true when this call was the one that resolved the gate.
    @discardableResult
    func resolve(_ value: Value) -> Bool {
        lock.lock()
        if done {
            lock.unlock()
            return false
        }
        done = true
        if let continuation {
            self.continuation = nil
            lock.unlock()
            continuation.resume(returning: value)
        } else {
            early = .some(value)
            lock.unlock()
        }
        return true
    }
}
