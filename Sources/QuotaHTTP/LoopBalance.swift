import QuotaConcurrency

/// What the event loops of one server share about their connections: how
/// many each holds, the admissions against `maxConnections` and the
/// sockets refused at that cap, each bound one for the whole server
/// however many loops serve it.
///
/// A connection is on a loop from `assign` (or `move`) until `close`, so
/// a burst of accepts spreads at once, before any target loop has taken
/// its share. It counts against the cap from `admit` until it closes;
/// connections refused at the cap (answered 503 while they linger) never
/// do, and count against `maxRefused` instead.
final class LoopBalance: Sendable {
    /// What a connection counts against besides its loop.
    enum Held: Sendable {
        case nothing
        /// A place under `maxConnections`.
        case admission
        /// One of the `maxRefused` sockets that say 503.
        case refusal
    }

    /// Connections accepted past the cap get a 503 while they linger; past
    /// this many such sockets new ones are just closed.
    static let maxRefused = 64

    private struct Counts: Sendable {
        var perLoop: [Int]
        var admitted = 0
        var refused = 0
    }

    let loopCount: Int
    private let maxConnections: Int
    private let counts: Locked<Counts>

    init(loops: Int, maxConnections: Int) {
        precondition(loops >= 1, "a server has at least one event loop")
        self.loopCount = loops
        self.maxConnections = maxConnections
        self.counts = Locked(Counts(perLoop: Array(repeating: 0, count: loops)))
    }

    /// Puts a new connection on the loop holding fewest (the lowest index
    /// on a tie) and returns that loop. Keep-alive clients (Prometheus,
    /// `wrk`) stay where they land, so balancing at accept balances work.
    func assign() -> Int {
        counts.withLock { counts in
            var best = 0
            for index in counts.perLoop.indices.dropFirst() where counts.perLoop[index] < counts.perLoop[best] {
                best = index
            }
            counts.perLoop[best] += 1
            return best
        }
    }

    /// A connection handed on from one loop to another.
    func move(from source: Int, to destination: Int) {
        counts.withLock { counts in
            counts.perLoop[source] -= 1
            counts.perLoop[destination] += 1
        }
    }

    /// Counts a connection against the cap if the server is below it.
    func admit() -> Bool {
        counts.withLock { counts in
            guard counts.admitted < maxConnections else { return false }
            counts.admitted += 1
            return true
        }
    }

    /// Counts a socket refused at the cap if fewer than `maxRefused` are
    /// still saying 503.
    func refuse() -> Bool {
        counts.withLock { counts in
            guard counts.refused < Self.maxRefused else { return false }
            counts.refused += 1
            return true
        }
    }

    /// A connection on `loop` closed (or was never registered), giving
    /// back what it `held`.
    func close(on loop: Int, releasing held: Held) {
        counts.withLock { counts in
            counts.perLoop[loop] -= 1
            switch held {
            case .nothing: break
            case .admission: counts.admitted -= 1
            case .refusal: counts.refused -= 1
            }
        }
    }
}
