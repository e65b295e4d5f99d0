import QuotaConcurrency
import QuotaExposition
import QuotaHTTP

/// The last `/metrics` response made on the event loop, one per format and
/// coding, with the snapshot serial and live inputs it was made from.
///
/// Scrapes that come close together (several Prometheus servers, a
/// benchmark) mostly find the same snapshot and, within one clock tick of
/// `/proc/self/stat`, the same process readings: they get the kept response,
/// whose body parts are shared, not copied, and skip rendering the live
/// families, merging them with the snapshot's and compressing them. Exact,
/// not timed: any input that changed, however little, makes a new one.
final class KeptResponses: Sendable {
    private struct Entry: Sendable {
        var serial: UInt64
        var format: ExpositionFormat
        var coding: ContentCoding
        var inputs: LiveInputs
        var response: HTTPResponse
    }

    private let entries = Locked<[Entry]>([])

    /// The kept response for exactly these, if there is one.
    func response(serial: UInt64, format: ExpositionFormat, coding: ContentCoding, inputs: LiveInputs) -> HTTPResponse? {
        guard serial != 0 else { return nil }
        guard let entry = entries.withLock({ $0.first { $0.format == format && $0.coding == coding } }),
              entry.serial == serial, entry.inputs == inputs else { return nil }
        return entry.response
    }

    /// Keeps `response` in place of the one for its format and coding, and
    /// lets go of those made from another snapshot, which no scrape can
    /// match again and which would hold that snapshot's rendering.
    /// Returns the response as kept: keyed, so that connections can reuse
    /// the head they write for it (`HTTPResponse.headKey`).
    func keep(_ response: HTTPResponse, serial: UInt64, format: ExpositionFormat, coding: ContentCoding, inputs: LiveInputs) -> HTTPResponse {
        guard serial != 0 else { return response }
        let entry = Entry(serial: serial, format: format, coding: coding, inputs: inputs, response: response.keyedForReuse())
        entries.withLock { entries in
            entries.removeAll { $0.serial != serial || ($0.format == format && $0.coding == coding) }
            entries.append(entry)
        }
        return entry.response
    }

    var count: Int {
        entries.withLock { $0.count }
    }
}
