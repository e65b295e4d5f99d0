import QuotaConcurrency
import QuotaExposition

/// The last rendering of the snapshot-derived families per format, reused
/// while the snapshot's fingerprint is unchanged. Between collections (a
/// minute by default) every scrape would otherwise rebuild and re-escape
/// thousands of identical series.
final class RenderCache: @unchecked Sendable {
    private struct Entry {
        var fingerprint: String
        var rendering: RenderedFamilies
    }

    private let lock = Lock()
    private var entries: [ExpositionFormat: Entry] = [:]

    func rendering(fingerprint: String, format: ExpositionFormat, render: () -> RenderedFamilies) -> RenderedFamilies {
        if let hit = lock.withLock({ entries[format] }), hit.fingerprint == fingerprint {
            return hit.rendering
        }
        let fresh = render()
        lock.withLock { entries[format] = Entry(fingerprint: fingerprint, rendering: fresh) }
        return fresh
    }
}
