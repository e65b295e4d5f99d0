import QuotaConcurrency
import QuotaExposition
import QuotaHTTP

/// The compressed form of each run of live families (those between two
/// cached families) from the last gzip scrape, reused while the run's
/// bytes are the same: build info and reload metrics rarely change, and
/// compressing them again cost more than the rest of a cached gzip scrape.
final class LiveGzipRuns: @unchecked Sendable {
    private struct Key: Hashable {
        var format: ExpositionFormat
        var run: Int
    }

    private let lock = Lock()
    private var last: [Key: (bytes: [UInt8], part: GzipPart)] = [:]
    private var compressions = 0

    /// How many runs were compressed, for tests.
    var compressionCount: Int { lock.withLock { compressions } }

    /// `chunks` joined and compressed, or the kept part when the run's
    /// bytes equal last time's. Nil if zlib failed.
    func part(run: Int, format: ExpositionFormat, of chunks: [[UInt8]]) -> GzipPart? {
        var joined: [UInt8] = []
        joined.reserveCapacity(chunks.reduce(0) { $0 + $1.count })
        for chunk in chunks { joined.append(contentsOf: chunk) }
        let key = Key(format: format, run: run)
        if let kept = lock.withLock({ last[key] }), kept.bytes == joined {
            return kept.part
        }
        guard let part = GzipPart.compress(joined, level: GzipPart.freshLevel) else { return nil }
        lock.withLock {
            compressions += 1
            last[key] = (joined, part)
        }
        return part
    }
}
