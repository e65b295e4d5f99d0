import QuotaExposition

/// The `quota_exporter_collector_*` health families: one series per target
/// (`errors_total`: one per target and reason), labelled with the target's
/// identity, valued from its status. Defined once here for both ways they
/// are written: as families (`SnapshotMetrics.collectorFamilies`) and as
/// lines straight from the values (`/metrics`, per account). The names and
/// HELP texts are the contract dashboards and alerts rely on, as those of
/// `SnapshotMetrics` are.
public enum CollectorHealthFamily: CaseIterable, Sendable {
    case up, duration, lastSuccess, errors

    /// The `reason` label values of `errors_total`, in the order
    /// `collectorFamilies` lists them (the writer sorts series by value).
    public static let reasons = CollectorError.Reason.allCases

    public var name: String {
        switch self {
        case .up: "quota_exporter_collector_up"
        case .duration: "quota_exporter_collector_duration_seconds"
        case .lastSuccess: "quota_exporter_collector_last_success_timestamp_seconds"
        case .errors: "quota_exporter_collector_errors_total"
        }
    }

    public var help: String {
        switch self {
        case .up: "1 if the last collection of this target succeeded, 0 if it failed. Absent until the first attempt completes."
        case .duration: "Wall time the last completed collection of this target took."
        case .lastSuccess: "Unix time of the last successful collection of this target; the age of the served values."
        case .errors: "Failed collections of this target, by reason (timeout, http, auth, rate_limited, decode, api_error, network, internal)."
        }
    }

    public var type: MetricType {
        self == .errors ? .counter : .gauge
    }

    /// Series per target: one, or one per reason.
    public var seriesPerTarget: Int {
        self == .errors ? Self.reasons.count : 1
    }

    /// `target`'s value of its series (of `errors_total`: the one for
    /// `reason`, which it needs); nil while it has none.
    public func value(of target: TargetStatus, reason: CollectorError.Reason? = nil) -> Double? {
        switch self {
        case .up:
            guard let up = target.up else { return nil }
            return up ? 1 : 0
        case .duration:
            return target.lastDuration
        case .lastSuccess:
            return target.lastSuccess
        case .errors:
            guard let reason else { preconditionFailure("errors_total has one series per reason") }
            // Every reason starts at 0 so that rate() and increase() see the first failure.
            return Double(target.errorsTotal[reason] ?? 0)
        }
    }
}
