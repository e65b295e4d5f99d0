import QuotaConcurrency

/// What one collection tells its cache besides its result, handed down
/// through a task-local so that collectors need no parameter for it: when
/// its first request really went out (after waiting for a slot), and how a
/// `Retry-After` block touched it.
///
/// `min_interval` is counted from that send, not from when the collection
/// was started: a request that queued for a slot would otherwise reach the
/// provider closer than `min_interval` after the one before.
final class CollectionAttempt: Sendable {
    /// How a rate-limit block touched this collection; decides whether its
    /// failure is the one line an operator reads about the block.
    enum RateLimitNote: Sendable {
        /// A 429 of this collection started the block: its failure line says so.
        case startedBlock(RateLimitBlock)
        /// A request was refused, or got a 429 while a block was already on:
        /// the block's start and end lines cover it.
        case duringBlock
    }

    @TaskLocal static var current: CollectionAttempt?

    let identity: TargetIdentity
    /// The cache's clock when the collection started.
    let started: Double
    private let clock: @Sendable () -> Double
    private let state = Locked<(sent: Double?, note: RateLimitNote?)>((nil, nil))

    init(identity: TargetIdentity, started: Double, clock: @escaping @Sendable () -> Double) {
        self.identity = identity
        self.started = started
        self.clock = clock
    }

    /// Called by `UpstreamClient` as a request is handed to the transport;
    /// only the first counts.
    func markSent() {
        let now = clock()
        state.withLock { if $0.sent == nil { $0.sent = now } }
    }

    /// When the first request went out; nil when none did (local data, a
    /// refusal, a deadline passed while waiting for a slot).
    var firstSent: Double? { state.withLock { $0.sent } }

    func note(_ note: RateLimitNote) {
        state.withLock { state in
            if case .startedBlock = state.note { return }
            state.note = note
        }
    }

    var rateLimitNote: RateLimitNote? { state.withLock { $0.note } }

    /// The collection's labels, for a line logged on its behalf.
    var logFields: [(String, String)] {
        [("account", identity.account), ("collector", identity.collector)]
    }
}
