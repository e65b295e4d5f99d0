import QuotaCollection

/// `GET /accounts/{account_id}/dex/commands/quota` (seed 000).
///
/// The one place that decides what `quota` means. The seed (the Python
/// SDK's type) says it is "the remaining number of commands that can be
/// initiated", so it maps to `remaining`, and the limit is remaining plus
/// used. Cloudflare's newer API reference calls the same field the total;
/// if that turns out to be right, only this function changes.
enum DEXCommandsQuota {
    static let quota = "dex_commands"
    static let unit = "commands"

    static func readings(from result: ResultFields) throws(CollectorError) -> [QuotaReading] {
        let remaining = try result.number("quota")
        let usage = try result.nonNegativeNumber("quota_usage")
        let reset = try result.timestamp("reset_time")
        guard remaining != nil || usage != nil || reset != nil else { return [] }

        var reading = QuotaReading(quota: quota, unit: unit, usage: usage, remaining: remaining, resetTimestamp: reset)
        if let remaining, let usage, (remaining + usage).isFinite {
            reading.limit = remaining + usage
        }
        if let remaining {
            reading.exhausted = remaining <= 0
        }
        return [reading]
    }
}
