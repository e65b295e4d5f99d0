import QuotaConcurrency

/// Targets whose data changed outside a collection and should be collected
/// again at the next scrape, whatever their `min_interval` says.
///
/// ZITADEL pushes usage to the exporter: without this, a stored
/// notification would show only once the cached values aged past
/// `min_interval`. Providers mark; the cache consumes.
public final class TargetInvalidations: @unchecked Sendable {
    private let lock = Lock()
    private var stale: Set<TargetIdentity> = []

    public init() {}

    public func invalidate(_ identity: TargetIdentity) {
        lock.withLock { _ = stale.insert(identity) }
    }

    /// Whether some target is marked; a cheap look that takes nothing.
    var hasPending: Bool {
        lock.withLock { !stale.isEmpty }
    }

    /// Returns and clears the marked targets.
    func take() -> Set<TargetIdentity> {
        lock.withLock {
            defer { stale.removeAll() }
            return stale
        }
    }
}
