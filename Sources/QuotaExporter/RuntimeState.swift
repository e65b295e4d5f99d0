import QuotaConcurrency

/// The small mutable facts the handlers share: readiness and the outcome
/// of the last configuration (re)load.
final class RuntimeState: @unchecked Sendable {
    struct Reload {
        var successful = true
        var lastSuccess: Double
        /// The error of the last failed reload, shown on the status page.
        var problem: String?
    }

    private let lock = Lock()
    private var ready = false
    private var reload: Reload
    private var reportedProblems: Set<String> = []

    init(loadedAt: Double) {
        reload = Reload(lastSuccess: loadedAt)
    }

    var isReady: Bool {
        lock.withLock { ready }
    }

    func markReady() {
        lock.withLock { ready = true }
    }

    var lastReload: Reload {
        lock.withLock { reload }
    }

    func reloadSucceeded(at time: Double) {
        lock.withLock { reload = Reload(successful: true, lastSuccess: time, problem: nil) }
    }

    func reloadFailed(_ problem: String) {
        lock.withLock {
            reload.successful = false
            reload.problem = problem
        }
    }

    /// True the first time a given exposition problem is seen, so a bad
    /// series is logged once rather than at every scrape.
    func isNewProblem(_ description: String) -> Bool {
        lock.withLock { reportedProblems.insert(description).inserted }
    }
}
