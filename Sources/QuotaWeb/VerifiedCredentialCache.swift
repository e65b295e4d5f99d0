import QuotaConcurrency
import QuotaCrypto

/// Outcomes of bcrypt checks already made, so that Prometheus scraping
/// every 15 s with the same password pays bcrypt's cost (tens of
/// milliseconds of CPU at cost 10) once, not at every scrape.
///
/// Keyed by SHA-256 over user, hash and password: the plain password is
/// never kept, and the key changes when the user's hash does, so a cache
/// can outlive a re-read web config safely. Failures are cached too (a
/// misconfigured scraper retrying the same wrong password costs nothing),
/// and the size is bounded: beyond `capacity` the oldest entry goes, so a
/// client trying many passwords cannot grow memory, only evict.
public final class VerifiedCredentialCache: Sendable {
    private struct Entries: Sendable {
        var outcomes: [[UInt8]: Bool] = [:]
        var order: [[UInt8]] = []
        var next = 0
    }

    public let capacity: Int
    private let entries = Locked(Entries())

    public init(capacity: Int = 1024) {
        self.capacity = max(1, capacity)
    }

    static func key(user: [UInt8], hash: String, password: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        // Length-prefixed, so ("ab", "c") and ("a", "bc") differ.
        for part in [user, Array(hash.utf8), password] {
            hasher.update(withUnsafeBytes(of: UInt64(part.count).bigEndian, Array.init))
            hasher.update(part)
        }
        return hasher.finalize()
    }

    func outcome(for key: [UInt8]) -> Bool? {
        entries.withLock { $0.outcomes[key] }
    }

    func record(_ outcome: Bool, for key: [UInt8]) {
        entries.withLock { entries in
            if entries.outcomes.updateValue(outcome, forKey: key) != nil { return }
            if entries.order.count < capacity {
                entries.order.append(key)
            } else {
                // A ring over insertion order: the oldest key makes room.
                entries.outcomes[entries.order[entries.next]] = nil
                entries.order[entries.next] = key
                entries.next = (entries.next + 1) % capacity
            }
        }
    }

    public var count: Int {
        entries.withLock { $0.outcomes.count }
    }
}
