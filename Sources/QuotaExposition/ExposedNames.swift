/// The names one family appears under in one format.
///
/// They differ only in OpenMetrics, for counters and info metrics, where
/// the family line drops the suffix and every sample carries it: a counter
/// `x_total` (or `x`) is `# TYPE x counter` with samples `x_total`, an info
/// metric `x_info` (or `x`) is `# TYPE x info` with samples `x_info`.
struct ExposedNames: Sendable, Hashable {
    /// The name on `# HELP` and `# TYPE`.
    var family: String
    /// The name on every sample line.
    var sample: String
    /// Every name a parser attributes to this family, none of which another
    /// family may use: OpenMetrics parsers reserve `x`, `x_total` and
    /// `x_created` for a counter `x`, and reject a gauge called `x_total`
    /// next to it as a clash.
    var reserved: [String]

    init(name: String, type: MetricType, format: ExpositionFormat) {
        guard format == .openMetrics, type != .gauge else {
            family = name
            sample = name
            reserved = [name]
            return
        }
        let suffix = type == .counter ? "_total" : "_info"
        let base = name.hasSuffix(suffix) && name.utf8.count > suffix.utf8.count
            ? String(name.dropLast(suffix.count))
            : name
        family = base
        sample = base + suffix
        reserved = type == .counter ? [base, base + suffix, base + "_created"] : [base, base + suffix]
    }
}
