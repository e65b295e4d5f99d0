import Dispatch
import QuotaText
import QuotaTime
import QuotaLogging

/// Holds every target's last result and decides when to call upstream.
///
/// Collection is scrape-driven: `refresh(deadline:)` starts a collection for
/// each target whose last attempt is older than its `minInterval`, then waits
/// for the targets still in flight, but never past the deadline. A
/// collection that misses the deadline keeps running and its result serves
/// the next scrape. A target already in flight is never started twice, so
/// concurrent scrapes share one upstream call (single flight).
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
        /// Bumped when a reload replaces the target, so a result from the
        /// old definition (old token, old account) is not stored.
        var generation = 0
    }

    private struct Waiter {
        var pending: Set<TargetIdentity>
        var gate: OnceGate<Void>
    }

    private var states: [TargetIdentity: State] = [:]
    /// Bumped whenever what a snapshot would show changes, other than by
    /// values aging past `maxStaleness`; lets `/metrics` reuse a rendering.
    private var version: UInt64 = 0
    private var waiters: [UInt64: Waiter] = [:]
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
        for target in targets {
            states[target.identity] = State(target: target)
        }
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
                existing.attempt = nil
                next[target.identity] = existing
            } else {
                next[target.identity] = State(target: target)
            }
        }
        states = next
        version += 1
        for id in waiters.keys {
            checkWaiter(id)
        }
    }

    /// Starts due collections and waits for in-flight ones until `deadline`.
    public func refresh(deadline: ContinuousClock.Instant) async -> CollectionSnapshot {
        let now = clock()
        let invalidated = invalidations?.take() ?? []
        for (identity, state) in states where isDue(state, now: now) || (invalidated.contains(identity) && !state.inFlight) {
            start(identity)
        }
        let pending = Set(states.filter { $0.value.inFlight }.keys)
        if !pending.isEmpty, deadline > .now {
            await wait(for: pending, until: deadline)
        }
        return snapshot()
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
        let statuses = states.values.map { state -> TargetStatus in
            let fresh = state.lastSuccess.map { now - $0 <= state.target.settings.maxStaleness } ?? false
            return TargetStatus(
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
                refreshing: state.inFlight
            )
        }
        return CollectionSnapshot(targets: statuses.sorted { $0.identity < $1.identity }, version: version)
    }

    private func isDue(_ state: State, now: Double) -> Bool {
        guard !state.inFlight else { return false }
        guard let lastAttempt = state.lastAttempt else { return true }
        return now - lastAttempt >= state.target.settings.minInterval
    }

    private func start(_ identity: TargetIdentity) {
        guard var state = states[identity] else { return }
        let attempt = CollectionAttempt(identity: identity, started: clock(), clock: clock)
        state.inFlight = true
        state.attempt = attempt
        states[identity] = state
        let target = state.target
        let generation = state.generation
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
        // When the provider was really called; a collection that called
        // nothing (local data, refused, no slot in time) counts from its start.
        state.lastAttempt = attempt.firstSent ?? attempt.started
        state.lastDuration = duration
        let log = logger.with([
            "provider": identity.provider, "account": identity.account, "collector": identity.collector,
        ])
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
        states[identity] = state
        version += 1
        for id in waiters.keys {
            checkWaiter(id)
        }
    }

    private func wait(for pending: Set<TargetIdentity>, until deadline: ContinuousClock.Instant) async {
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
