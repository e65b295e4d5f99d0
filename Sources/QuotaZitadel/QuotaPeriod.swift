/// One period of a ZITADEL quota, in Unix seconds.
///
/// ZITADEL has no calendar months: periods are `from + n·resetInterval`,
/// and the current one is the latest that has started. Before `from`, no
/// period has started yet; we then report the first one (it starts at
/// `from`), because that is the period the next usage will count against.
public struct QuotaPeriod: Sendable, Hashable {
    public var start: Double
    /// When the period ends and usage starts again from zero.
    public var end: Double

    public static func current(from: Double, resetInterval: Double, now: Double) -> QuotaPeriod {
        precondition(resetInterval > 0, "the configuration rejects reset intervals under a minute")
        let elapsed = (now - from) / resetInterval
        let index = max(0, elapsed.rounded(.down))
        let start = from + index * resetInterval
        return QuotaPeriod(start: start, end: start + resetInterval)
    }

    /// Whether `timestamp` (a notification's `periodStart`) names this period.
    /// ZITADEL computes it from the same `from` and interval, so it matches
    /// exactly; the tolerance only absorbs sub-second formatting differences.
    public func begins(at timestamp: Double) -> Bool {
        abs(timestamp - start) < 1
    }
}
