/// The two wire formats a scraper can ask for.
///
/// Both carry the same series; they differ in framing (OpenMetrics ends with
/// `# EOF`), in how counters are named on the family line, and in the
/// Content-Type a scraper needs to see to parse the body at all (Prometheus 3
/// fails a scrape whose Content-Type it cannot read).
public enum ExpositionFormat: Sendable, Hashable {
    /// Prometheus text format 0.0.4: what every scraper and `curl` can read.
    case text
    /// OpenMetrics 1.0.0, sent only to scrapers that explicitly prefer it.
    case openMetrics

    /// The Content-Type header value that tells the scraper which parser to use.
    public var contentType: String {
        switch self {
        case .text: "text/plain; version=0.0.4; charset=utf-8"
        case .openMetrics: "application/openmetrics-text; version=1.0.0; charset=utf-8"
        }
    }

    /// Picks the format for a scrape from its `Accept` header.
    ///
    /// The rule, chosen so that anything unusual gets the format every client
    /// can read:
    /// - OpenMetrics is chosen only when an explicit
    ///   `application/openmetrics-text` range (with no `version`, or version
    ///   `1.0.0` or `0.0.1`) has a q-value strictly higher than text's.
    /// - Text's q-value comes from the most specific range that matches it: an
    ///   explicit `text/plain` range (no version, `0.0.4`, or `1.0.0`, whose
    ///   legacy-name subset is exactly what this writer emits), else `text/*`,
    ///   else `*/*`, else 0. Within one kind the highest q wins.
    /// - Ties, a missing header, an empty one, and a malformed one all give
    ///   `.text`; so does a header where nothing is acceptable (q=0
    ///   everywhere), because answering something beats answering nothing.
    /// - `application/*` and other wildcards never select OpenMetrics: a
    ///   client that has not named OpenMetrics may not expect `# EOF`.
    public static func negotiate(accept: String?) -> ExpositionFormat {
        guard let accept, let ranges = MediaRange.parseList(accept) else {
            return .text
        }
        let openMetricsQuality = ranges
            .filter(\.isAcceptableOpenMetrics)
            .map(\.quality)
            .max() ?? 0
        guard openMetricsQuality > 0 else { return .text }
        return openMetricsQuality > textQuality(in: ranges) ? .openMetrics : .text
    }

    /// The q-value the client gave text, taken from its most specific match.
    private static func textQuality(in ranges: [MediaRange]) -> Double {
        let bySpecificity: [(MediaRange) -> Bool] = [
            \.isAcceptableText,
            { $0.type == "text" && $0.subtype == "*" },
            { $0.type == "*" && $0.subtype == "*" },
        ]
        for matches in bySpecificity {
            let qualities = ranges.filter(matches).map(\.quality)
            if let best = qualities.max() { return best }
        }
        return 0
    }
}
