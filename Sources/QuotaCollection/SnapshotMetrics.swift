import QuotaExposition

/// Turns a snapshot into metric families. The metric names and HELP texts
/// here are the contract dashboards and alerts rely on; change a name only
/// with a reason in the README.
public enum SnapshotMetrics {
    static let caching = "Cached per target: refreshed by a scrape when older than min_interval, and served for at most max_staleness after the last successful collection."

    /// The data families' HELP texts, built once: a collection renders its
    /// account's families again, and interpolating these at every call was
    /// a visible part of that.
    private enum Help {
        static let limit = "Limit of the quota, in the unit of the unit label. " + SnapshotMetrics.caching
        static let usage = "Amount of the quota used in the current period, in the unit of the unit label. " + SnapshotMetrics.caching
        static let remaining = "Amount of the quota left in the current period, in the unit of the unit label. " + SnapshotMetrics.caching
        static let reset = "Unix time at which the quota resets. " + SnapshotMetrics.caching
        static let periodStart = "Unix time at which the current quota period started. " + SnapshotMetrics.caching
        static let exhausted = "1 if the provider reports the quota as used up, else 0. " + SnapshotMetrics.caching
        static let enforced = "1 if the provider blocks use beyond the limit, 0 if it only reports. " + SnapshotMetrics.caching
        static let info = "Descriptive attributes of a quota as labels; value is always 1. " + SnapshotMetrics.caching
    }

    /// The `quota_*` data gauges.
    public static func quotaFamilies(_ snapshot: CollectionSnapshot) -> [MetricFamily] {
        var limit = family("quota_limit", Help.limit)
        var usage = family("quota_usage", Help.usage)
        var remaining = family("quota_remaining", Help.remaining)
        var reset = family("quota_reset_timestamp_seconds", Help.reset)
        var periodStart = family("quota_period_start_timestamp_seconds", Help.periodStart)
        var exhausted = family("quota_exhausted", Help.exhausted)
        var enforced = family("quota_enforced", Help.enforced)
        var info = family("quota_info", Help.info, type: .info)
        // Grown one sample at a time, the arrays were reallocated about
        // log2(n) times each: a visible part of rendering one account.
        let readings = snapshot.targets.reduce(0) { $0 + $1.readings.count }
        limit.samples.reserveCapacity(readings)
        usage.samples.reserveCapacity(readings)
        remaining.samples.reserveCapacity(readings)
        exhausted.samples.reserveCapacity(readings)

        for target in snapshot.targets {
            for reading in target.readings {
                let labels = dataLabels(target, reading)
                func add(_ family: inout MetricFamily, _ value: Double?) {
                    if let value {
                        family.samples.append(Sample(labels: labels, value: value))
                    }
                }
                add(&limit, reading.limit)
                add(&usage, reading.usage)
                add(&remaining, reading.remaining)
                add(&reset, reading.resetTimestamp)
                add(&periodStart, reading.periodStartTimestamp)
                add(&exhausted, reading.exhausted.map { $0 ? 1 : 0 })
                add(&enforced, reading.enforced.map { $0 ? 1 : 0 })
                if !reading.info.isEmpty {
                    info.samples.append(Sample(labels: labels + reading.info, value: 1))
                }
            }
        }
        return [limit, usage, remaining, reset, periodStart, exhausted, enforced, info]
    }

    /// The `quota_exporter_collector_*` health families (`CollectorHealthFamily`).
    public static func collectorFamilies(_ snapshot: CollectionSnapshot) -> [MetricFamily] {
        CollectorHealthFamily.allCases.map { health in
            var family = MetricFamily(name: health.name, help: health.help, type: health.type)
            family.samples.reserveCapacity(snapshot.targets.count * health.seriesPerTarget)
            for target in snapshot.targets {
                let labels = target.identity.labels
                if health == .errors {
                    for reason in CollectorHealthFamily.reasons {
                        family.samples.append(Sample(labels: labels + [Label("reason", reason.rawValue)], value: health.value(of: target, reason: reason)!))
                    }
                } else if let value = health.value(of: target) {
                    family.samples.append(Sample(labels: labels, value: value))
                }
            }
            return family
        }
    }

    /// `provider`, `account`, `quota`, `unit`, then the provider's own labels,
    /// then the configuration's static labels. A static label whose name the
    /// provider already uses is skipped, because a series with a repeated
    /// label name is invalid and would be dropped whole.
    static func dataLabels(_ target: TargetStatus, _ reading: QuotaReading) -> [Label] {
        var labels = [
            Label("provider", target.identity.provider),
            Label("account", target.identity.account),
            Label("quota", reading.quota),
            Label("unit", reading.unit),
        ]
        labels.append(contentsOf: reading.labels)
        for label in target.labels where !labels.contains(where: { $0.name == label.name }) {
            labels.append(label)
        }
        return labels
    }

    private static func family(_ name: String, _ help: String, type: MetricType = .gauge) -> MetricFamily {
        MetricFamily(name: name, help: help, type: type)
    }
}
