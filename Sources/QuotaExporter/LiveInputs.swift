import QuotaExposition

/// Everything the live families of one scrape are made from (the process
/// readings, the last reload, the upstream counter and the providers' own
/// families). They are cheap to gather next to rendering and merging them,
/// and equal inputs give the same bytes, so a scrape whose inputs, snapshot,
/// format and coding match the last one's sends that response again
/// (`KeptResponses`) instead of building it.
struct LiveInputs: Sendable, Equatable {
    var process: [Double?]
    var reloadSuccessful: Bool
    var lastReload: Double
    var upstream: MetricFamily
    /// Per provider, in `providers` order.
    var extras: [[MetricFamily]]

    /// Readings compare bit for bit: a NaN equals itself here (the
    /// rendering would be the same), and -0 differs from 0 (it would not).
    static func == (lhs: LiveInputs, rhs: LiveInputs) -> Bool {
        SampleBytes.same(lhs.process, rhs.process)
            && lhs.reloadSuccessful == rhs.reloadSuccessful
            && lhs.lastReload.bitPattern == rhs.lastReload.bitPattern
            && lhs.upstream == rhs.upstream
            && lhs.extras == rhs.extras
    }
}
