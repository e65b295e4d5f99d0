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

    /// Parses `"90s"`, `"5m"`, `"1h30m"`, `"500ms"`, `"1d"` or `"0"`; nil for
    /// anything else, including negative, fractional and overflowing values.
    public init?(prometheus text: String) {
        if text == "0" {
            self = .zero
            return
        }
        var remaining = Substring(text)
        var total: Int64 = 0
        var nextUnit = 0  // units must appear in descending order
        while !remaining.isEmpty {
            let digits = remaining.prefix { $0.isASCII && $0.isNumber }
            guard let amount = Int64(digits) else { return nil }
            remaining = remaining.dropFirst(digits.count)
            // "ms" is the only two-letter unit, so it is tried first: "5ms" is milliseconds.
            let symbol = remaining.hasPrefix("ms") ? "ms" : String(remaining.prefix(1))
            guard let unit = Self.units.firstIndex(where: { $0.symbol == symbol }), unit >= nextUnit else {
                return nil
            }
            remaining = remaining.dropFirst(symbol.count)
            let (scaled, productOverflowed) = amount.multipliedReportingOverflow(by: Self.units[unit].milliseconds)
            let (sum, sumOverflowed) = total.addingReportingOverflow(scaled)
            guard !productOverflowed, !sumOverflowed else { return nil }
            total = sum
            nextUnit = unit + 1
        }
        guard nextUnit > 0 else { return nil }
        self = .milliseconds(total)
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
