/// Prometheus-style duration text, as in `scrape_interval: 1m30s`.
///
/// Units, largest first, each at most once: `y` (365 days), `w`, `d`, `h`,
/// `m`, `s`, `ms`. `"0"` alone means zero. Everything is whole numbers and
/// milliseconds are the smallest unit, as in Prometheus itself.
extension Duration {
    private static let units: [(symbol: String, milliseconds: Int64)] = [
        ("y", 365 * 86_400_000), ("w", 7 * 86_400_000), ("d", 86_400_000),
        ("h", 3_600_000), ("m", 60_000), ("s", 1_000), ("ms", 1),
    ]

    /// The longest duration accepted: 100 years. Durations end up as
    /// nanoseconds in sleeps and deadlines (`UInt64`/`Int64`, at most about
    /// 292 years), sometimes multiplied by a backoff factor, so a bound well
    /// below that keeps every conversion from trapping; no interval the
    /// exporter has needs more.
    public static let maxPrometheus: Duration = .seconds(100 * 365 * 86_400)

    /// What `parsePrometheus` found; `tooLarge` is well-formed text above
    /// `maxPrometheus` (or beyond any integer), so errors can say which.
    public enum PrometheusParse: Sendable, Equatable {
        case valid(Duration)
        case invalid
        case tooLarge
    }

    /// Parses `"90s"`, `"5m"`, `"1h30m"`, `"500ms"`, `"1d"` or `"0"`; nil for
    /// anything else, including negative, fractional and too large values.
    public init?(prometheus text: String) {
        guard case .valid(let duration) = Self.parsePrometheus(text) else { return nil }
        self = duration
    }

    /// Checks the grammar first and the size second: overflowing digits are
    /// counted as saturated instead of failing, so `99999999999999999999y`
    /// is "too large", not "invalid", and nothing is ever multiplied past
    /// `Int64`.
    public static func parsePrometheus(_ text: String) -> PrometheusParse {
        if text == "0" {
            return .valid(.zero)
        }
        let limit = Int64(maxPrometheus.components.seconds) * 1000
        var remaining = Substring(text)
        var total: Int64 = 0
        var nextUnit = 0  // units must appear in descending order
        var tooLarge = false
        while !remaining.isEmpty {
            let digits = remaining.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty else { return .invalid }
            remaining = remaining.dropFirst(digits.count)
            // "ms" is the only two-letter unit, so it is tried first: "5ms" is milliseconds.
            let symbol = remaining.hasPrefix("ms") ? "ms" : String(remaining.prefix(1))
            guard let unit = units.firstIndex(where: { $0.symbol == symbol }), unit >= nextUnit else {
                return .invalid
            }
            remaining = remaining.dropFirst(symbol.count)
            nextUnit = unit + 1
            guard !tooLarge, let amount = Int64(digits) else {
                tooLarge = true
                continue
            }
            let (scaled, productOverflowed) = amount.multipliedReportingOverflow(by: units[unit].milliseconds)
            let (sum, sumOverflowed) = total.addingReportingOverflow(scaled)
            if productOverflowed || sumOverflowed || sum > limit {
                tooLarge = true
            } else {
                total = sum
            }
        }
        guard nextUnit > 0 else { return .invalid }
        return tooLarge ? .tooLarge : .valid(.milliseconds(total))
    }

    /// The shortest Prometheus text for this duration, e.g. `1h30m`, `500ms`,
    /// `0s`; anything below a millisecond is dropped.
    public var prometheusText: String {
        let (seconds, attoseconds) = components
        var remaining = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        guard remaining > 0 else { return remaining == 0 ? "0s" : "-" + (Duration.zero - self).prometheusText }
        var text = ""
        for unit in Self.units where remaining >= unit.milliseconds {
            text += "\(remaining / unit.milliseconds)\(unit.symbol)"
            remaining %= unit.milliseconds
        }
        return text
    }
}
