/// A counting semaphore for async code: at most `limit` holders at once,
/// the rest wait in arrival order. It bounds how many upstream collections
/// run together, so a scrape of many targets cannot fan out into a burst
/// that trips a provider's rate limit.
actor ConcurrencyLimiter {
    private var available: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) {
        precondition(limit > 0, "a limiter needs at least one slot")
        available = limit
    }

    func acquire() async {
        if available > 0 {
            available -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty {
            available += 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}
