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

    /// A run that changed since the last scrape and is shorter than this
    /// is stored, not compressed: the process metrics (about 1 KB, new at
    /// every scrape at Prometheus' pace) cost more to compress at level 1
    /// than all the rest of a cached gzip scrape, and would save about
    /// 700 bytes of a 23 KB body. A run seen for the first time is
    /// compressed: most (build info, reload metrics) are then kept.
    static let storedBelow = 4 * 1024

    /// `chunks` joined and compressed (stored when short and changed), or
    /// the kept part when the run's bytes equal last time's. Nil if zlib
    /// failed.
    func part(run: Int, format: ExpositionFormat, of chunks: [[UInt8]]) -> GzipPart? {
        var joined: [UInt8] = []
        joined.reserveCapacity(chunks.reduce(0) { $0 + $1.count })
        for chunk in chunks { joined.append(contentsOf: chunk) }
        let key = Key(format: format, run: run)
        let kept = lock.withLock { last[key] }
        if let kept, kept.bytes == joined {
            return kept.part
        }
        let level = kept != nil && joined.count < Self.storedBelow ? GzipPart.storedLevel : GzipPart.freshLevel
        guard let part = GzipPart.compress(joined, level: level) else { return nil }
        lock.withLock {
            compressions += 1
            last[key] = (joined, part)
        }
        return part
    }
}
