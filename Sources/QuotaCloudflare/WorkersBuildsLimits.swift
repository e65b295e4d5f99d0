import QuotaCollection

/// `GET /accounts/{account_id}/builds/account/limits` (seed 002).
///
/// Cloudflare returns no numbers here, only whether the build minutes are
/// used up and when they refresh, and both only on non-paid plans. Absent
/// fields give no series: a paid account shows `collector_up 1` and nothing
/// else rather than a made-up `quota_exhausted 0`.
enum WorkersBuildsLimits {
    static let quota = "workers_build_minutes"
    static let unit = "minutes"

    static func readings(from result: ResultFields) throws(CollectorError) -> [QuotaReading] {
        let reached = try result.bool("has_reached_build_minutes_limit")
        let refresh = try result.timestamp("build_minutes_refresh_on")
        guard reached != nil || refresh != nil else { return [] }
        return [QuotaReading(quota: quota, unit: unit, resetTimestamp: refresh, exhausted: reached)]
    }
}
