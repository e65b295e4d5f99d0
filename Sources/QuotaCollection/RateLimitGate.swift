import Dispatch
import QuotaConcurrency
import QuotaLogging
import QuotaTime

/// Per-scope "do not call before" times, shared by all targets of a
/// provider, and the two log lines of each block.
///
/// While a credential is blocked every collection with it is refused, and
/// each used to log a warning: dozens of lines for one 429. Now a block
/// has one line when it starts (the failure of the collection that got the
/// 429, or this gate's when there was no collection) and one when it ends,
/// written from a timer at its end time, whether or not anything tries to
/// call in between; refusals count in `errors_total` silently.
final class RateLimitGate: Sendable {
    private struct Entry: Sendable {
        var block: RateLimitBlock
        var id: UInt64
        /// The labels of the collection that started it, repeated in the end line.
        var context: [(String, String)]
    }

    private let entries = Locked<(blocks: [String: Entry], nextID: UInt64)>(([:], 0))
    private let logger: Logger
    private let now: @Sendable () -> Double

    init(logger: Logger, now: @escaping @Sendable () -> Double = { WallClock.now() }) {
        self.logger = logger
        self.now = now
    }

    /// Blocks `scope` until `block.until` (a longer block already on wins).
    /// Returns true when this starts a block rather than extending one.
    func block(_ scope: String, _ block: RateLimitBlock, context: [(String, String)]) -> Bool {
        let current = now()
        var ended: Entry?
        let started = entries.withLock { state -> UInt64? in
            if let existing = state.blocks[scope] {
                if existing.block.until > current {
                    if block.until > existing.block.until {
                        state.blocks[scope]?.block = block
                    }
                    return nil
                }
                ended = existing
            }
            state.nextID += 1
            state.blocks[scope] = Entry(block: block, id: state.nextID, context: context)
            return state.nextID
        }
        if let ended {
            logEnd(ended)
        }
        guard let started else { return false }
        schedule(scope, id: started, at: block.until)
        return true
    }

    /// The block on `scope` now, if any.
    func active(_ scope: String) -> RateLimitBlock? {
        let current = now()
        var ended: Entry?
        let block = entries.withLock { state -> RateLimitBlock? in
            guard let entry = state.blocks[scope] else { return nil }
            if entry.block.until <= current {
                state.blocks[scope] = nil
                ended = entry
                return nil
            }
            return entry.block
        }
        if let ended {
            logEnd(ended)
        }
        return block
    }

    private func schedule(_ scope: String, id: UInt64, at until: Double) {
        let delay = min(max(0.001, until - now()), 86_400)
        DispatchQueue.global().asyncAfter(deadline: .now() + delay) { [weak self] in
            self?.expire(scope, id: id)
        }
    }

    /// The timer's end of a block: logs it once, unless a longer block
    /// extended it (then waits again) or a check already ended it.
    private func expire(_ scope: String, id: UInt64) {
        let current = now()
        var reschedule: Double?
        let ended = entries.withLock { state -> Entry? in
            guard let entry = state.blocks[scope], entry.id == id else { return nil }
            if entry.block.until > current {
                reschedule = entry.block.until
                return nil
            }
            state.blocks[scope] = nil
            return entry
        }
        if let reschedule {
            schedule(scope, id: id, at: reschedule)
        }
        if let ended {
            logEnd(ended)
        }
    }

    private func logEnd(_ entry: Entry) {
        logger.log(.info, "rate limit pause over; calling again", fields: entry.context + entry.block.logFields)
    }

    /// The line for a block no collection will report (a provider's
    /// background work, outside any collection).
    func logStart(_ block: RateLimitBlock, context: [(String, String)]) {
        logger.log(.warn, "rate limited; pausing calls with this credential", fields: context + [("status", String(block.status))] + block.logFields)
    }
}
