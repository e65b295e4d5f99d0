#if canImport(Glibc)
import Glibc
#endif
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
/// A snapshot the cache hands out again (same `serial`) costs one compare;
/// within one `layout` (no reload) targets are compared by position, so a
/// collection costs its account's rendering and the changed families'
/// joins, not a walk through hashed lookups of every target.
final class SnapshotRenderer: @unchecked Sendable {
    /// What one scrape gets: the snapshot families sorted by name, and a
    /// way to their compressed form.
    struct Stable {
        var format: ExpositionFormat
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

    private struct Assembled {
        var serial: UInt64
        /// Per header, the joined family (nil when no account has lines for
        /// it) and its compressed form once asked for.
        var byHeader: [RenderedFamily?]
        var gzip: [GzipPart?]
        /// The non-nil `byHeader` entries, and the header index of each.
        var families: [RenderedFamily]
        var headerOf: [Int]
    }

    private struct PerFormat {
        /// The snapshot families' headers, sorted by name.
        var headers: [RenderedFamily]
        var headerIndex: [String: Int]
        var layout: UInt64 = 0
        /// Target index ranges of the accounts, in series order.
        var accounts: [Range<Int>] = []
        /// Per target: `revision << 1 | has readings`, as last rendered.
        var keys: [UInt64] = []
        /// Per account (as in `accounts`), per header: its lines.
        var lines: [[[UInt8]?]] = []
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
            var state = formats[format] ?? Self.initial(format: format, writer: writer)
            if let assembled = state.assembled, assembled.serial == snapshot.serial, snapshot.serial != 0 {
                return assembled.families
            }
            formats[format] = nil  // keeps the arrays below uniquely referenced while they are edited
            assemble(snapshot, format: format, state: &state, report: report)
            formats[format] = state
            return state.assembled!.families
        }
        return Stable(format: format, families: families) { [self] index in gzip(index, format: format, of: families) }
    }

    /// `stable` when it costs nothing: the rendering kept for exactly this
    /// snapshot (with `compressed`, every family's gzip form kept too), or
    /// nil if something must be rendered or compressed first, which is not
    /// work for the HTTP event loop.
    func kept(_ snapshot: CollectionSnapshot, format: ExpositionFormat, compressed: Bool) -> Stable? {
        let families: [RenderedFamily]? = lock.withLock {
            guard snapshot.serial != 0, let assembled = formats[format]?.assembled, assembled.serial == snapshot.serial else { return nil }
            if compressed, assembled.headerOf.contains(where: { assembled.gzip[$0] == nil }) { return nil }
            return assembled.families
        }
        guard let families else { return nil }
        return Stable(format: format, families: families) { [self] index in gzip(index, format: format, of: families) }
    }

    private func gzip(_ index: Int, format: ExpositionFormat, of families: [RenderedFamily]) -> GzipPart? {
        lock.withLock {
            // Kept only for the rendering this scrape was given; a newer one may be in place already.
            let assembled = formats[format]?.assembled
            let current = assembled.map { index < $0.families.count && Self.sameBuffer($0.families[index].bytes, families[index].bytes) } ?? false
            if current, let assembled, let cached = assembled.gzip[assembled.headerOf[index]] {
                return cached
            }
            compressions += 1
            let part = GzipPart.compress(families[index].bytes, level: GzipPart.cachedLevel)
            if current, let header = assembled?.headerOf[index] {
                formats[format]?.assembled?.gzip[header] = part
            }
            return part
        }
    }

    private static func sameBuffer(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        lhs.withUnsafeBufferPointer { $0.baseAddress } == rhs.withUnsafeBufferPointer { $0.baseAddress } && lhs.count == rhs.count
    }

    private func assemble(_ snapshot: CollectionSnapshot, format: ExpositionFormat, state: inout PerFormat, report: (String) -> Void) {
        let targets = snapshot.targets
        let keys = targets.map { $0.revision << 1 | ($0.readings.isEmpty ? 0 : 1) }
        // Revision 0 is a status the cache did not make (a test's): never reused.
        let relayout = snapshot.layout == 0 || snapshot.layout != state.layout || keys.count != state.keys.count
            || keys.contains { $0 >> 1 == 0 }
        if relayout {
            state.accounts = Self.accounts(of: targets)
            state.lines = Array(repeating: Array(repeating: nil, count: state.headers.count), count: state.accounts.count)
        }
        var changed = [Bool](repeating: relayout, count: state.headers.count)
        for (account, range) in state.accounts.enumerated() {
            if !relayout && keys[range] == state.keys[range] { continue }
            let part = CollectionSnapshot(targets: Array(targets[range]), version: snapshot.version)
            let rendered = writer.renderEach(ExporterRuntime.snapshotFamilies(part), format: format, headers: false)
            accountRenders += 1
            for problem in rendered.problems { report(problem.description) }
            var lines = [[UInt8]?](repeating: nil, count: state.headers.count)
            for family in rendered.families {
                if let header = state.headerIndex[family.name] { lines[header] = family.bytes }
            }
            for header in lines.indices where lines[header] != state.lines[account][header] {
                changed[header] = true
            }
            state.lines[account] = lines
        }
        state.keys = keys
        state.layout = snapshot.layout

        let previous = state.assembled
        var byHeader: [RenderedFamily?] = []
        var gzip: [GzipPart?] = []
        var families: [RenderedFamily] = []
        var headerOf: [Int] = []
        for (index, header) in state.headers.enumerated() {
            var family: RenderedFamily?
            var compressed: GzipPart?
            if !changed[index], let previous {
                family = previous.byHeader[index]
                compressed = previous.gzip[index]
            } else {
                family = Self.join(header, state.lines.compactMap { $0[index] })
            }
            byHeader.append(family)
            gzip.append(compressed)
            if let family {
                families.append(family)
                headerOf.append(index)
            }
        }
        state.assembled = Assembled(serial: snapshot.serial, byHeader: byHeader, gzip: gzip, families: families, headerOf: headerOf)
    }

    /// The accounts' target ranges (targets of one account are adjacent in
    /// a snapshot), sorted into series order.
    private static func accounts(of targets: [TargetStatus]) -> [Range<Int>] {
        var ranges: [(id: AccountID, range: Range<Int>)] = []
        var start = 0
        while start < targets.count {
            let id = AccountID(provider: targets[start].identity.provider, account: targets[start].identity.account)
            var end = start + 1
            while end < targets.count, targets[end].identity.provider == id.provider, targets[end].identity.account == id.account {
                end += 1
            }
            ranges.append((id, start..<end))
            start = end
        }
        return ranges.sorted { $0.id.precedes($1.id) }.map(\.range)
    }

    /// One `memcpy` per part into a buffer allocated once: appending the
    /// parts of 250 accounts one by one cost more than rendering one.
    private static func join(_ header: RenderedFamily, _ parts: [[UInt8]]) -> RenderedFamily? {
        guard !parts.isEmpty else { return nil }
        let total = parts.reduce(header.bytes.count) { $0 + $1.count }
        let bytes = [UInt8](unsafeUninitializedCapacity: total) { buffer, count in
            count = 0
            func copy(_ part: [UInt8]) {
                part.withUnsafeBufferPointer { source in
                    if let base = source.baseAddress {
                        memcpy(buffer.baseAddress! + count, base, source.count)
                    }
                    count += source.count
                }
            }
            copy(header.bytes)
            for part in parts { copy(part) }
        }
        return RenderedFamily(name: header.name, bytes: bytes)
    }

    /// The headers of the snapshot families (from `SnapshotMetrics` with no
    /// samples), sorted by name as the writer sorts families.
    private static func initial(format: ExpositionFormat, writer: ExpositionWriter) -> PerFormat {
        let headers = ExporterRuntime.snapshotFamilies(CollectionSnapshot(targets: []))
            .map { writer.header(of: $0, format: format) }
            .sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        return PerFormat(headers: headers, headerIndex: Dictionary(uniqueKeysWithValues: headers.enumerated().map { ($1.name, $0) }))
    }
}
