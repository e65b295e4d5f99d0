import QuotaConcurrency
import QuotaExposition

/// The exporter's own families that change only now and then (upstream
/// request counts, ZITADEL's notification counters), each rendering kept
/// with the samples it came from and given again while they write the same
/// bytes: sorting and writing them at every scrape was an eighth of a
/// cached scrape.
final class KeptRenderings: @unchecked Sendable {
    private struct Key: Hashable {
        var name: String
        var format: ExpositionFormat
    }

    private let lock = Lock()
    private var kept: [Key: (samples: [Sample], rendered: RenderedFamily?)] = [:]
    private var renders = 0

    /// How many renderings were made, for tests.
    var renderCount: Int { lock.withLock { renders } }

    /// `writer.renderTrusted(family, format:)`, from the kept rendering
    /// when its samples are the same.
    func rendered(_ family: MetricFamily, format: ExpositionFormat, writer: ExpositionWriter) -> RenderedFamily? {
        let key = Key(name: family.name, format: format)
        if let entry = lock.withLock({ kept[key] }), SampleBytes.same(entry.samples, family.samples) {
            return entry.rendered
        }
        let rendered = writer.renderTrusted(family, format: format)
        lock.withLock {
            kept[key] = (family.samples, rendered)
            renders += 1
        }
        return rendered
    }
}
