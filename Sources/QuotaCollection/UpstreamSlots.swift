import QuotaConcurrency

/// Bounds the upstream requests in flight: at most `perUpstream` per
/// `UpstreamLane` (one host with one credential) and at most `global` for
/// all lanes together.
///
/// A slot is held for one HTTP attempt only, from the moment it is handed
/// to the transport until its answer (or failure) is back: never while a
/// collection sleeps between retries, waits for another task's token, reads
/// local state or is refused by a `Retry-After` block. So a provider that
/// hangs holds at most `perUpstream` slots (until its requests time out),
/// and the other lanes keep `global - perUpstream` between them.
///
/// Waiters are served in arrival order among those whose lane has room: a
/// full lane's queue never blocks another lane's request (no head-of-line
/// blocking), which one FIFO of collections did before.
public final class UpstreamSlots: Sendable {
    /// The default `max_concurrency`: the outbound client's own cap
    /// (`UpstreamTransport.maxTransfers`), which a waiting request costs
    /// nothing of but a suspended task, so a lower default would only queue
    /// healthy requests behind slow ones.
    public static let defaultGlobal = 64

    /// The default per-lane bound for a global cap: a quarter of it, so
    /// that three lanes hanging at once still leave the others a quarter;
    /// at least 4 (a small global cap with one lane per host would
    /// otherwise serialise a provider's calls) and never above `global`.
    public static func defaultPerUpstream(forGlobal global: Int) -> Int {
        min(max(1, global), max(4, global / 4))
    }

    /// Requests made outside any `CollectionCache` (a provider's background
    /// work started outside a configuration's application, direct use in
    /// tests) share this one.
    public static let standalone = UpstreamSlots(global: defaultGlobal)

    /// The slots of the cache whose collection (or whose configuration's
    /// background work) is running in the current task; nil outside any.
    @TaskLocal public static var current: UpstreamSlots?

    private struct Waiter {
        var id: UInt64
        var lane: UpstreamLane
        var continuation: CheckedContinuation<Bool, Never>
    }

    private struct State {
        var global: Int
        var perUpstream: Int
        var inFlight = 0
        var perLane: [UpstreamLane: Int] = [:]
        var waiting: [Waiter] = []
        var nextID: UInt64 = 0

        func hasRoom(_ lane: UpstreamLane) -> Bool {
            inFlight < global && perLane[lane, default: 0] < perUpstream
        }

        mutating func take(_ lane: UpstreamLane) {
            inFlight += 1
            perLane[lane, default: 0] += 1
        }

        /// Grants every waiter that now fits, oldest first, and returns
        /// their continuations to resume outside the lock.
        mutating func grantable() -> [CheckedContinuation<Bool, Never>] {
            var granted: [CheckedContinuation<Bool, Never>] = []
            var index = 0
            while index < waiting.count, inFlight < global {
                if hasRoom(waiting[index].lane) {
                    let waiter = waiting.remove(at: index)
                    take(waiter.lane)
                    granted.append(waiter.continuation)
                } else {
                    index += 1
                }
            }
            return granted
        }
    }

    private let state: Locked<State>

    /// - Parameters:
    ///   - global: requests in flight at once, all lanes together (at least 1).
    ///   - perUpstream: requests in flight at once per lane; nil takes
    ///     `defaultPerUpstream(forGlobal:)`. Clamped to 1...global.
    public init(global: Int, perUpstream: Int? = nil) {
        let global = max(1, global)
        state = Locked(State(global: global, perUpstream: Self.clampedPerUpstream(perUpstream, global: global)))
    }

    /// New bounds (a reload). Requests in flight keep their slots; waiters
    /// that now fit are let through at once.
    public func setLimits(global: Int, perUpstream: Int? = nil) {
        let global = max(1, global)
        let granted = state.withLock { state -> [CheckedContinuation<Bool, Never>] in
            state.global = global
            state.perUpstream = Self.clampedPerUpstream(perUpstream, global: global)
            return state.grantable()
        }
        for continuation in granted {
            continuation.resume(returning: true)
        }
    }

    public var limits: (global: Int, perUpstream: Int) {
        state.withLock { ($0.global, $0.perUpstream) }
    }

    /// Requests holding a slot now, in all lanes and in `lane`.
    public var inFlight: Int { state.withLock { $0.inFlight } }

    public func inFlight(_ lane: UpstreamLane) -> Int {
        state.withLock { $0.perLane[lane, default: 0] }
    }

    /// Requests waiting for a slot now.
    public var waiting: Int { state.withLock { $0.waiting.count } }

    /// Waits for a slot in `lane`. Returns false, holding nothing, when the
    /// task is cancelled first (the collection's deadline passed).
    ///
    /// After every change the queue holds only waiters that do not fit, so
    /// a request that fits now may take its slot without queueing: it
    /// overtakes no one who could have had it.
    public func acquire(_ lane: UpstreamLane) async -> Bool {
        if Task.isCancelled { return false }
        let id: UInt64? = state.withLock { state in
            if state.hasRoom(lane) {
                state.take(lane)
                return nil
            }
            state.nextID += 1
            return state.nextID
        }
        guard let id else { return true }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let settled = state.withLock { state -> Bool? in
                    // Cancelled before the waiter is in the queue: the
                    // handler found nothing to remove, so answer here.
                    if Task.isCancelled { return false }
                    if state.hasRoom(lane) {
                        state.take(lane)
                        return true
                    }
                    state.waiting.append(Waiter(id: id, lane: lane, continuation: continuation))
                    return nil
                }
                if let settled {
                    continuation.resume(returning: settled)
                }
            }
        } onCancel: {
            let removed = state.withLock { state -> CheckedContinuation<Bool, Never>? in
                guard let index = state.waiting.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiting.remove(at: index).continuation
            }
            removed?.resume(returning: false)
        }
    }

    /// Gives back a slot taken by `acquire` and lets the next fitting waiter in.
    public func release(_ lane: UpstreamLane) {
        let granted = state.withLock { state -> [CheckedContinuation<Bool, Never>] in
            state.inFlight = max(0, state.inFlight - 1)
            let left = state.perLane[lane, default: 0] - 1
            state.perLane[lane] = left > 0 ? left : nil
            return state.grantable()
        }
        for continuation in granted {
            continuation.resume(returning: true)
        }
    }

    private static func clampedPerUpstream(_ perUpstream: Int?, global: Int) -> Int {
        min(max(1, perUpstream ?? defaultPerUpstream(forGlobal: global)), global)
    }
}

/// What one bound of `UpstreamSlots` covers: one upstream origin (scheme,
/// host, port) called with one credential (`UpstreamRequest.rateLimitScope`,
/// a fingerprint). Two accounts behind one Cloudflare token share a lane;
/// two tokens, or two Huawei regions, do not.
public struct UpstreamLane: Sendable, Hashable, CustomStringConvertible {
    public var origin: String
    public var scope: String

    public init(origin: String, scope: String) {
        self.origin = origin
        self.scope = scope
    }

    public init(_ request: UpstreamRequest) {
        let url = request.url
        origin = url.scheme + "://" + url.host + (url.port.map { ":\($0)" } ?? "")
        scope = request.rateLimitScope
    }

    /// The origin only: the scope is a credential's fingerprint.
    public var description: String { origin }
}
