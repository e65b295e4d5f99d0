import QuotaCollection
import QuotaConcurrency
import QuotaExposition
import QuotaHTTP

/// The snapshot's families (quota values and collector health) rendered
/// per format and kept between scrapes, at three levels:
///
/// - per account (the targets sharing `provider` and `account`): a
///   collection re-renders only its account's series. Accounts are the
///   unit because every snapshot series starts with those two labels, so
///   the series of one account are contiguous in the sorted output and
///   each account's lines can be rendered apart and joined in account order;
/// - per family: the accounts' lines joined under the family's header,
///   re-joined only for families whose lines changed (a collection usually
///   changes the health gauges, not the quota values);
/// - per family again, gzip-compressed on first demand and kept with it.
///
/// A snapshot the cache hands out again (same `serial`) costs one compare.
final class SnapshotRenderer: @unchecked Sendable {
    /// What one scrape gets: the snapshot families sorted by name, and a
    /// way to their compressed form.
    struct Stable {
        var families: [RenderedFamily]
        /// `gzip(index)` is `families[index]` compressed (cached).
        let gzip: (Int) -> GzipPart?
    }

    private struct AccountID: Hashable {
        var provider: String
        var account: String

        /// UTF-8 bytewise, provider first: the order `SampleSorter` puts
        /// series in, since their label values start with these two.
        func precedes(_ other: AccountID) -> Bool {
            if provider != other.provider { return provider.utf8.lexicographicallyPrecedes(other.provider.utf8) }
            return account.utf8.lexicographicallyPrecedes(other.account.utf8)
        }
    }

    private struct AccountRendering {
        /// Per target: `revision << 1 | has readings`.
        var key: [UInt64]
        var lines: [String: [UInt8]]
    }

    private struct Assembled {
        var serial: UInt64
        var order: [AccountID]
        /// Per header (in `headers` order), the joined family; nil when no
        /// account has lines for it.
        var byHeader: [RenderedFamily?]
        var families: [RenderedFamily]
        var gzip: [GzipPart?]
    }

    private struct PerFormat {
        var headers: [RenderedFamily]
        var accounts: [AccountID: AccountRendering] = [:]
        var assembled: Assembled?
    }

    private let lock = Lock()
    private var formats: [ExpositionFormat: PerFormat] = [:]
    private let writer = ExpositionWriter()
    private var accountRenders = 0
    private var compressions = 0

    /// How many account renderings were made, for tests: state, not time.
    var accountRenderCount: Int { lock.withLock { accountRenders } }
    /// How many cached families were gzip-compressed, for tests.
    var compressionCount: Int { lock.withLock { compressions } }

    /// `report` receives each problem of a fresh rendering (a dropped
    /// series); the caller logs the new ones.
    func stable(_ snapshot: CollectionSnapshot, format: ExpositionFormat, report: (String) -> Void) -> Stable {
        let families: [RenderedFamily] = lock.withLock {
            var state = formats[format] ?? PerFormat(headers: Self.headers(format: format, writer: writer))
            if let assembled = state.assembled, assembled.serial == snapshot.serial, snapshot.serial != 0 {
                return assembled.families
            }
            let assembled = assemble(snapshot, format: format, state: &state, report: report)
            state.assembled = assembled
            formats[format] = state
            return assembled.families
        }
        return Stable(families: families) { [self] index in gzip(index, format: format, of: families) }
    }

    private func gzip(_ index: Int, format: ExpositionFormat, of families: [RenderedFamily]) -> GzipPart? {
        lock.withLock {
            // Only from the rendering this scrape was given; a newer one may be in place already.
            if let assembled = formats[format]?.assembled, assembled.families.count == families.count,
               assembled.families[index].bytes.withUnsafeBufferPointer({ $0.baseAddress })
                == families[index].bytes.withUnsafeBufferPointer({ $0.baseAddress }) {
                if let cached = assembled.gzip[index] { return cached }
                let part = GzipPart.compress(families[index].bytes, level: GzipPart.cachedLevel)
                compressions += 1
                formats[format]?.assembled?.gzip[index] = part
                return part
            }
            compressions += 1
            return GzipPart.compress(families[index].bytes, level: GzipPart.cachedLevel)
        }
    }

    private func assemble(_ snapshot: CollectionSnapshot, format: ExpositionFormat, state: inout PerFormat, report: (String) -> Void) -> Assembled {
        // Accounts in the snapshot's order (targets of one account are
        // adjacent in it), each re-rendered only if one of its targets changed.
        var order: [AccountID] = []
        var next: [AccountID: AccountRendering] = [:]
        var changed = Set<String>()
        var start = 0
        let targets = snapshot.targets
        while start < targets.count {
            let id = AccountID(provider: targets[start].identity.provider, account: targets[start].identity.account)
            var end = start + 1
            while end < targets.count, targets[end].identity.provider == id.provider, targets[end].identity.account == id.account {
                end += 1
            }
            let key = targets[start..<end].map { $0.revision << 1 | ($0.readings.isEmpty ? 0 : 1) }
            // Revision 0 is a status the cache did not make (a test's): never reused.
            if let kept = state.accounts[id], kept.key == key, !key.contains(where: { $0 >> 1 == 0 }) {
                next[id] = kept
            } else {
                let part = CollectionSnapshot(targets: Array(targets[start..<end]), version: snapshot.version)
                let rendered = writer.renderEach(ExporterRuntime.snapshotFamilies(part), format: format, headers: false)
                accountRenders += 1
                for problem in rendered.problems { report(problem.description) }
                var lines: [String: [UInt8]] = [:]
                for family in rendered.families { lines[family.name] = family.bytes }
                let before = state.accounts[id]?.lines ?? [:]
                for name in Set(lines.keys).union(before.keys) where lines[name] != before[name] {
                    changed.insert(name)
                }
                next[id] = AccountRendering(key: key, lines: lines)
            }
            order.append(id)
            start = end
        }
        let previous = state.assembled
        if order != previous?.order {
            // Rarely (a reload): sort the accounts into series order.
            var seen = Set<AccountID>()
            order = order.filter { seen.insert($0).inserted }.sorted { $0.precedes($1) }
        }
        let rejoinAll = previous == nil || previous?.order != order
        state.accounts = next

        var byHeader: [RenderedFamily?] = []
        var gzip: [GzipPart?] = []
        var families: [RenderedFamily] = []
        for (index, header) in state.headers.enumerated() {
            let family: RenderedFamily?
            var compressed: GzipPart?
            if !rejoinAll, let previous, !changed.contains(header.name) {
                family = previous.byHeader[index]
                if let family, let position = previous.families.firstIndex(where: { $0.name == family.name }) {
                    compressed = previous.gzip[position]
                }
            } else {
                family = Self.join(header, order.compactMap { next[$0]?.lines[header.name] })
            }
            byHeader.append(family)
            if let family {
                families.append(family)
                gzip.append(compressed)
            }
        }
        return Assembled(serial: snapshot.serial, order: order, byHeader: byHeader, families: families, gzip: gzip)
    }

    private static func join(_ header: RenderedFamily, _ parts: [[UInt8]]) -> RenderedFamily? {
        guard !parts.isEmpty else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(parts.reduce(header.bytes.count) { $0 + $1.count })
        bytes.append(contentsOf: header.bytes)
        for part in parts { bytes.append(contentsOf: part) }
        return RenderedFamily(name: header.name, bytes: bytes)
    }

    /// The snapshot families' headers, sorted by name as the writer sorts
    /// families; taken from `SnapshotMetrics` with no samples.
    private static func headers(format: ExpositionFormat, writer: ExpositionWriter) -> [RenderedFamily] {
        ExporterRuntime.snapshotFamilies(CollectionSnapshot(targets: []))
            .map { writer.header(of: $0, format: format) }
            .sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
    }
}
