import QuotaConcurrency
import QuotaExposition

/// `quota_exporter_zitadel_notifications_total{outcome}`: what became of
/// each request to the receiver.
final class NotificationCounters: Sendable {
    enum Outcome: String, Sendable, CaseIterable {
        /// Stored durably and acknowledged with 200.
        case stored
        /// An id already stored; acknowledged with 200 and not stored again.
        case duplicate
        /// Unknown instance, or missing or wrong secret: 404.
        case unauthorized
        /// Body larger than the cap: 413.
        case tooLarge = "too_large"
        /// Not a notification (bad JSON, missing field, unknown unit): 400.
        case invalid
        /// Could not be stored (state file): 500, so ZITADEL retries.
        case error
    }

    /// The counts, and the family last built from them: every scrape asks
    /// for it, and handing out the same one while nothing was counted makes
    /// the scrape's comparison with the last one's inputs a pointer compare
    /// and frees nothing. Dropped under the same lock as each increment.
    private struct State {
        var counts: [Outcome: Int] = [:]
        var family: MetricFamily?
    }

    private let state = Locked(State())

    func increment(_ outcome: Outcome) {
        state.withLock {
            $0.counts[outcome, default: 0] += 1
            $0.family = nil
        }
    }

    func count(_ outcome: Outcome) -> Int {
        state.withLock { $0.counts[outcome] ?? 0 }
    }

    var family: MetricFamily {
        state.withLock { state in
            if let family = state.family { return family }
            let counts = state.counts
            let family = MetricFamily(
                name: "quota_exporter_zitadel_notifications_total",
                help: "Requests to the ZITADEL usage notification receiver, by outcome (stored, duplicate, unauthorized, too_large, invalid, error).",
                type: .counter,
                samples: Outcome.allCases.map { Sample(labels: [Label("outcome", $0.rawValue)], value: Double(counts[$0] ?? 0)) }
            )
            state.family = family
            return family
        }
    }
}
