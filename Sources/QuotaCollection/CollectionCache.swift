import Dispatch
import QuotaText
import QuotaTime
import QuotaConcurrency
import QuotaLogging

/// Holds every target's last result and decides when to call upstream.
///
/// Collection is scrape-driven: `refresh(deadline:)` starts a collection for
/// each target whose last attempt is older than its `minInterval`, then waits
/// for the targets still in flight, but never past the deadline. A
/// collection that misses the deadline keeps running and its result serves
/// the next scrape. A target already in flight is never started twice, so
/// concurrent scrapes share one upstream call (single flight). A target
/// whose provider hangs is not waited for again: once a scrape has been
/// answered without its collection (the deadline passed first), or the
/// collection timed out, scrapes serve what is there for it, not wait,
/// until a collection of it succeeds (or fails fast) again. A hanging
/// provider then costs one scrape its timeout, not every scrape that
/// starts a new attempt.
///
/// Collections themselves are not queued: each runs in its own task at
/// once, and only its HTTP requests wait, for a slot of `slots` (at most
/// `maxConcurrencyPerUpstream` per origin and credential, `maxConcurrency`
/// in all). So targets that read local state (static, ZITADEL's stored
/// notifications) never wait behind network ones, and a hanging provider
/// holds only its own lane's slots.
public actor CollectionCache {
    private struct State {
        var target: Target
        var readings: [QuotaReading] = []
        var up: Bool?
        var lastDuration: Double?
        var lastSuccess: Double?
        var lastAttempt: Double?
        var lastError: CollectorError?
        var lastErrorTime: Double?
        var errorsTotal: [CollectorError.Reason: Int] = [:]
        var inFlight = false
        /// The collection in flight, whose first send becomes `lastAttempt`.
        var attempt: CollectionAttempt?
        /// Scrapes do not wait for this target's collections: a scrape
        /// gave up on the last one, or it timed out, and none has ended
        /// otherwise since.
        var slow = false
        /// Bumped when a reload replaces the target, so a result from the
        /// old definition (old token, old account) is not stored.
        var generation = 0
        /// Changes whenever what this target contributes to the metrics
        /// changes (a finished collection, a new definition), so its
        /// rendering can be kept until then.
        var revision: UInt64 = 0
    }

    /// The last snapshot, served again while nothing changed and no
    /// target's values have aged past `maxStaleness`: at 250 targets
    /// rebuilding and sorting it was most of a cached scrape.
    private struct ReusableSnapshot {
        var changes: UInt64
        var takenAt: Double
        /// The first instant at which some served values go stale.
        var validUntil: Double
        var snapshot: CollectionSnapshot
    }

    private struct Waiter {
        var pending: Set<TargetIdentity>
        var gate: OnceGate<Void>
    }

    private var states: [TargetIdentity: State] = [:]
    /// Bumped whenever what a snapshot would show changes, other than by
    /// values aging past `maxStaleness`; lets `/metrics` reuse a rendering.
    private var version: UInt64 = 0
    /// Bumped by every change to any state, including a collection starting
    /// (which the status page shows); invalidates `reusable`.
    private var changes: UInt64 = 0
    private var lastRevision: UInt64 = 0
    private var lastSerial: UInt64 = 0
    private var reusable: ReusableSnapshot?
    private var schedule: (changes: UInt64, nextDue: Double, anyInFlight: Bool)?
    /// Targets changed since the last snapshot, which the next one patches.
    private var dirty: Set<TargetIdentity> = []
    /// Each identity's index in `order`.
    private var position: [TargetIdentity: Int] = [:]
    /// Bumped when the set of targets may have changed (a reload).
    private var layout: UInt64 = 1
    /// What scheduling reads of each target, by position in `order`: plain
    /// values, so a scrape can look at all of them without copying states.
    private struct Timing {
        var inFlight: Bool
        /// Scrapes do not wait for it (see `State.slow`).
        var slow: Bool
        var lastAttempt: Double?
        var minInterval: Double

        init(_ state: State) {
            inFlight = state.inFlight
            slow = state.slow
            lastAttempt = state.lastAttempt
            minInterval = state.target.settings.minInterval
        }

        func isDue(now: Double) -> Bool {
            guard !inFlight else { return false }
            guard let lastAttempt else { return true }
            return now - lastAttempt >= minInterval
        }
    }

    private var timings: [Timing] = []
    /// Every identity in snapshot order, sorted once per configuration.
    private var order: [TargetIdentity] = []
    private var waiters: [UInt64: Waiter] = [:]
    /// The snapshot `readySnapshot()` may hand out without entering the
    /// actor: set by a scrape that found nothing due and nothing in
    /// flight, cleared by any change.
    private struct Ready: Sendable {
        var snapshot: CollectionSnapshot
        var takenAt: Double
        var validUntil: Double
        /// When the first target falls due again.
        var nextDue: Double
    }

    private nonisolated let ready = Locked<Ready?>(nil)
    private var nextWaiterID: UInt64 = 0
    /// The bounds on this cache's upstream requests; a configuration's
    /// background work (ZITADEL's provisioning) runs under them too.
    public nonisolated let slots: UpstreamSlots
    private let invalidations: TargetInvalidations?
    private let logger: Logger
    private let clock: @Sendable () -> Double

    /// - Parameters:
    ///   - maxConcurrency: upstream requests in flight at once, all targets together.
    ///   - maxConcurrencyPerUpstream: the same per origin and credential;
    ///     nil takes `UpstreamSlots.defaultPerUpstream(forGlobal:)`.
    ///   - clock: wall-clock Unix seconds; injectable so tests can age data.
    public init(
        targets: [Target],
        maxConcurrency: Int = UpstreamSlots.defaultGlobal,
        maxConcurrencyPerUpstream: Int? = nil,
        invalidations: TargetInvalidations? = nil,
        logger: Logger,
        clock: @escaping @Sendable () -> Double = { WallClock.now() }
    ) {
        self.slots = UpstreamSlots(global: maxConcurrency, perUpstream: maxConcurrencyPerUpstream)
        self.invalidations = invalidations
        self.logger = logger
        self.clock = clock
        var revision: UInt64 = 0
        var initial: [TargetIdentity: State] = [:]
        for target in targets {
            revision += 1
            initial[target.identity] = State(target: target, revision: revision)
        }
        let sorted = initial.keys.sorted()
        states = initial
        lastRevision = revision
        order = sorted
        position = Dictionary(uniqueKeysWithValues: sorted.enumerated().map { ($1, $0) })
        timings = sorted.map { Timing(initial[$0]!) }
    }

    /// Every change to any state goes through here, so a published ready
    /// snapshot never outlives what it shows.
    private func changed() {
        changes += 1
        ready.withLock { $0 = nil }
    }

    /// The snapshot a scrape would get now, if getting it needs nothing:
    /// no target due, none in flight, none invalidated, no value aged past
    /// `maxStaleness` since it was taken. Nil otherwise, and then
    /// `refresh(deadline:)` is the way. Callable from any thread without
    /// waiting (one short lock), so the HTTP event loop can answer a cached
    /// scrape itself; a change the actor is making at the same moment makes
    /// this the snapshot just before it, as if the scrape came first.
    public nonisolated func readySnapshot() -> CollectionSnapshot? {
        if let invalidations, invalidations.hasPending { return nil }
        let now = clock()
        return ready.withLock { ready in
            guard let ready, now >= ready.takenAt, now <= ready.validUntil, now < ready.nextDue - Self.dueMargin else { return nil }
            return ready.snapshot
        }
    }

    /// Rounding in `nextDue` must never delay a due target.
    private static let dueMargin = 0.001

    private func nextRevision() -> UInt64 {
        lastRevision += 1
        return lastRevision
    }

    /// Swaps in the targets of a reloaded configuration. Targets that stay
    /// keep their counters and last values (so `errors_total` stays monotonic
    /// and graphs have no gap). One whose definition changed is refreshed
    /// at the next scrape, since its credentials or settings may have
    /// changed; an unchanged one is kept as it is, collector, last attempt
    /// and collection in flight included, so reloading never causes an
    /// upstream call by itself. New request bounds, when given, apply to
    /// requests from now on.
    public func replaceTargets(_ targets: [Target], maxConcurrency: Int? = nil, maxConcurrencyPerUpstream: Int? = nil) {
        if let maxConcurrency {
            slots.setLimits(global: maxConcurrency, perUpstream: maxConcurrencyPerUpstream)
        }
        var next: [TargetIdentity: State] = [:]
        for target in targets {
            if let existing = states[target.identity], target.isUnchanged(from: existing.target) {
                next[target.identity] = existing
            } else if var existing = states[target.identity] {
                existing.target = target
                existing.lastAttempt = nil
                existing.generation += 1
                existing.inFlight = false
                existing.slow = false
                existing.attempt = nil
                existing.revision = nextRevision()
                next[target.identity] = existing
            } else {
                next[target.identity] = State(target: target, revision: nextRevision())
            }
        }
        states = next
        order = states.keys.sorted()
        position = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
        timings = order.map { Timing(states[$0]!) }
        layout += 1
        reusable = nil
        version += 1
        changed()
        for id in waiters.keys {
            checkWaiter(id)
        }
    }

    /// Starts due collections and waits for in-flight ones until `deadline`.
    public func refresh(deadline: ContinuousClock.Instant) async -> CollectionSnapshot {
        let now = clock()
        let invalidated = invalidations?.take() ?? []
        // The margin keeps rounding in `nextDue` from delaying a due target.
        if !invalidated.isEmpty || now >= currentSchedule().nextDue - Self.dueMargin {
            // By position over plain values: walking `states` would copy
            // every target's state.
            for index in timings.indices {
                let timing = timings[index]
                if timing.isDue(now: now) || (!timing.inFlight && !invalidated.isEmpty && invalidated.contains(order[index])) {
                    start(order[index])
                }
            }
        }
        if currentSchedule().anyInFlight {
            var pending = Set<TargetIdentity>()
            for index in timings.indices where timings[index].inFlight && !timings[index].slow {
                pending.insert(order[index])
            }
            if !pending.isEmpty, deadline > .now {
                await wait(for: pending, until: deadline)
            }
        }
        let result = snapshot()
        let schedule = currentSchedule()
        if !schedule.anyInFlight, let reusable, reusable.changes == changes {
            ready.withLock {
                $0 = Ready(snapshot: result, takenAt: reusable.takenAt, validUntil: reusable.validUntil, nextDue: schedule.nextDue)
            }
        }
        return result
    }

    /// When the next target falls due and whether any collection is in
    /// flight, recomputed only after a change: a scrape between
    /// collections then looks at no target, however many there are.
    private func currentSchedule() -> (nextDue: Double, anyInFlight: Bool) {
        if let schedule, schedule.changes == changes {
            return (schedule.nextDue, schedule.anyInFlight)
        }
        var nextDue = Double.infinity
        var anyInFlight = false
        for timing in timings {
            if timing.inFlight {
                anyInFlight = true
            } else if let lastAttempt = timing.lastAttempt {
                nextDue = min(nextDue, lastAttempt + timing.minInterval)
            } else {
                nextDue = -Double.infinity
            }
        }
        schedule = (changes, nextDue, anyInFlight)
        return (nextDue, anyInFlight)
    }

    /// Collects every target now, ignoring `minInterval`, and waits for all
    /// of them (each is bounded by its own timeout). For `--once`.
    public func collectAll() async -> CollectionSnapshot {
        for (identity, state) in states where !state.inFlight {
            start(identity)
        }
        let pending = Set(states.filter { $0.value.inFlight }.keys)
        if !pending.isEmpty {
            await wait(for: pending, until: .now + .seconds(365 * 86_400))
        }
        return snapshot()
    }

    /// The current state without starting anything; for the status page.
    public func snapshot() -> CollectionSnapshot {
        let now = clock()
        if var reused = reusable, now >= reused.takenAt, now <= reused.validUntil {
            if reused.changes == changes {
                return reused.snapshot
            }
            // Only the targets in `dirty` changed since: patch them in,
            // dropping the kept copy first so that the statuses are
            // (usually) uniquely referenced and patched in place.
            reusable = nil
            var patched: [Int] = []
            for identity in dirty {
                guard let index = position[identity], let state = states[identity] else { continue }
                let (status, freshUntil) = Self.status(of: state, now: now)
                reused.snapshot.targets[index] = status
                reused.validUntil = min(reused.validUntil, freshUntil)
                patched.append(index)
            }
            reused.snapshot.patch = SnapshotPatch(base: reused.snapshot.serial, indexes: patched.sorted())
            return keep(reused.snapshot, takenAt: reused.takenAt, validUntil: reused.validUntil)
        }
        var validUntil = Double.infinity
        let statuses = order.compactMap { states[$0] }.map { state -> TargetStatus in
            let (status, freshUntil) = Self.status(of: state, now: now)
            validUntil = min(validUntil, freshUntil)
            return status
        }
        var snapshot = CollectionSnapshot(targets: statuses, version: version)
        snapshot.layout = layout
        return keep(snapshot, takenAt: now, validUntil: validUntil)
    }

    private func keep(_ snapshot: CollectionSnapshot, takenAt: Double, validUntil: Double) -> CollectionSnapshot {
        var snapshot = snapshot
        lastSerial += 1
        snapshot.serial = lastSerial
        snapshot.version = version
        dirty.removeAll(keepingCapacity: true)
        reusable = ReusableSnapshot(changes: changes, takenAt: takenAt, validUntil: validUntil, snapshot: snapshot)
        return snapshot
    }

    /// What a snapshot shows of `state` at `now`, and until when its values
    /// stay fresh (infinity when it serves none).
    private static func status(of state: State, now: Double) -> (TargetStatus, freshUntil: Double) {
        let fresh = state.lastSuccess.map { now - $0 <= state.target.settings.maxStaleness } ?? false
        let freshUntil = fresh ? state.lastSuccess.map { $0 + state.target.settings.maxStaleness } ?? .infinity : .infinity
        let status = TargetStatus(
            identity: state.target.identity,
            labels: state.target.labels,
            settings: state.target.settings,
            readings: fresh ? state.readings : [],
            up: state.up,
            lastDuration: state.lastDuration,
            lastSuccess: state.lastSuccess,
            lastAttempt: state.attempt?.firstSent ?? state.lastAttempt,
            lastError: state.lastError,
            lastErrorTime: state.lastErrorTime,
            errorsTotal: state.errorsTotal,
            refreshing: state.inFlight,
            revision: state.revision
        )
        return (status, freshUntil)
    }

    private func start(_ identity: TargetIdentity) {
        guard var state = states[identity] else { return }
        let attempt = CollectionAttempt(identity: identity, started: clock(), clock: clock)
        state.inFlight = true
        state.attempt = attempt
        states[identity] = state
        changed()
        dirty.insert(identity)
        if let index = position[identity] { timings[index] = Timing(state) }
        let target = state.target
        let generation = state.generation
        let began = ContinuousClock.now
        if let outcome = target.collector.collectNow() {
            finish(identity, generation: generation, outcome: outcome, duration: Self.seconds(ContinuousClock.now - began), attempt: attempt)
            return
        }
        let slots = self.slots
        Task {
            let began = ContinuousClock.now
            // Task-locals reach the collector's requests, in whatever tasks
            // it starts: they take this cache's slots and stamp the send.
            let outcome = await UpstreamSlots.$current.withValue(slots) {
                await CollectionAttempt.$current.withValue(attempt) {
                    await withDeadline(seconds: target.settings.timeout) { () -> Result<[QuotaReading], CollectorError> in
                        do throws(CollectorError) {
                            return .success(try await target.collector.collect())
                        } catch {
                            return .failure(error)
                        }
                    }
                }
            } ?? .failure(CollectorError(.timeout, "collection did not finish within \(Self.formatSeconds(target.settings.timeout))"))
            let elapsed = ContinuousClock.now - began
            self.finish(identity, generation: generation, outcome: outcome, duration: Self.seconds(elapsed), attempt: attempt)
        }
    }

    private func finish(
        _ identity: TargetIdentity, generation: Int, outcome: Result<[QuotaReading], CollectorError>, duration: Double,
        attempt: CollectionAttempt
    ) {
        guard var state = states[identity], state.generation == generation else { return }
        state.inFlight = false
        state.attempt = nil
        // Slow while it hangs: given up on and then failed, or timed out.
        switch outcome {
        case .success: state.slow = false
        case .failure(let error): state.slow = state.slow || error.reason == .timeout
        }
        // When the provider was really called; a collection that called
        // nothing (local data, refused, no slot in time) counts from its start.
        state.lastAttempt = attempt.firstSent ?? attempt.started
        state.lastDuration = duration
        // Made only when a line is written: most collections log nothing.
        var log: Logger {
            logger.with(["provider": identity.provider, "account": identity.account, "collector": identity.collector])
        }
        let startedBlock: RateLimitBlock?
        switch attempt.rateLimitNote {
        case .startedBlock(let block)?: startedBlock = block
        default: startedBlock = nil
        }
        switch outcome {
        case .success(let readings):
            if let startedBlock {
                log.log(.warn, "rate limited; pausing calls with this credential", fields: [("status", String(startedBlock.status))] + startedBlock.logFields)
            }
            if state.up == false {
                log.info("collector recovered", ["duration": Self.formatSeconds(duration)])
            }
            state.readings = readings
            state.up = true
            state.lastSuccess = clock()
        case .failure(let error):
            state.up = false
            state.lastError = error
            state.lastErrorTime = clock()
            state.errorsTotal[error.reason, default: 0] += 1
            var fields: [(String, String)] = [("reason", error.reason.rawValue)]
            if let status = error.statusCode {
                fields.append(("status", String(status)))
            }
            fields.append(("err", error.message))
            fields.append(("serving_stale", String(state.lastSuccess.map { clock() - $0 <= state.target.settings.maxStaleness } ?? false)))
            if let startedBlock {
                // The one line of a block's start: the provider's words and the pause.
                fields.append(contentsOf: startedBlock.logFields)
                log.log(.warn, "collection failed; pausing calls with this credential", fields: fields)
            } else if case .duringBlock? = attempt.rateLimitNote {
                // Refused while a block is on: counted, not logged again.
                log.log(.debug, "collection failed", fields: fields)
            } else {
                log.log(.warn, "collection failed", fields: fields)
            }
        }
        state.revision = nextRevision()
        states[identity] = state
        version += 1
        changed()
        dirty.insert(identity)
        if let index = position[identity] { timings[index] = Timing(state) }
        for id in waiters.keys {
            checkWaiter(id)
        }
    }

    /// Waits until none of `pending` is in flight or `deadline` passes;
    /// the targets still in flight then are marked slow, so the scrapes
    /// after this one do not wait for them again.
    private func wait(for pending: Set<TargetIdentity>, until deadline: ContinuousClock.Instant) async {
        // The attempts waited for: one that ends and starts again meanwhile
        // is a new attempt, which no scrape has given up on yet.
        var attempts: [TargetIdentity: CollectionAttempt] = [:]
        for identity in pending {
            attempts[identity] = states[identity]?.attempt
        }
        let id = nextWaiterID
        nextWaiterID += 1
        let gate = OnceGate<Void>()
        waiters[id] = Waiter(pending: pending, gate: gate)
        // The deadline fires from a Dispatch timer, not a sleeping task: when
        // CPU-bound work occupies the cooperative pool, a scrape must still
        // be answered on time.
        let remaining = ContinuousClock.now.duration(to: deadline)
        let timer = DispatchWorkItem { gate.resolve(()) }
        DispatchQueue.global().asyncAfter(deadline: .now() + Self.seconds(remaining), execute: timer)
        await withCheckedContinuation { gate.arm($0) }
        timer.cancel()
        waiters[id] = nil
        // Nothing a snapshot or the schedule shows changes, so neither
        // `changes` nor `version` moves.
        for (identity, attempt) in attempts {
            guard var state = states[identity], state.inFlight, !state.slow, state.attempt === attempt else { continue }
            state.slow = true
            states[identity] = state
            if let index = position[identity] { timings[index] = Timing(state) }
        }
    }

    private func checkWaiter(_ id: UInt64) {
        guard let waiter = waiters[id] else { return }
        let stillRunning = waiter.pending.contains { states[$0]?.inFlight == true }
        if !stillRunning {
            waiters[id] = nil
            waiter.gate.resolve(())
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }

    static func formatSeconds(_ seconds: Double) -> String {
        FixedPoint.format(seconds, decimals: 3) + "s"
    }
}
