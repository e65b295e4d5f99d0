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

    private let counts = Locked<[Outcome: Int]>([:])

    func increment(_ outcome: Outcome) {
        counts.withLock { $0[outcome, default: 0] += 1 }
    }

    func count(_ outcome: Outcome) -> Int {
        counts.withLock { $0[outcome] ?? 0 }
    }

    var family: MetricFamily {
        let current = counts.current
        return MetricFamily(
            name: "quota_exporter_zitadel_notifications_total",
            help: "Requests to the ZITADEL usage notification receiver, by outcome (stored, duplicate, unauthorized, too_large, invalid, error).",
            type: .counter,
            samples: Outcome.allCases.map { Sample(labels: [Label("outcome", $0.rawValue)], value: Double(current[$0] ?? 0)) }
        )
    }
}
