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
///   each account's lines can be rendered apart and joined in account order.
///   Within the account, a family whose samples are exactly those it was
///   last rendered from keeps its lines: a collection that brings the same
///   quota values (the usual case) renders only the health gauges that
///   moved, such as the duration and the last success time, and those are
///   written straight from the targets' values (`HealthLines`);
/// - per family: the accounts' lines joined under the family's header in
///   one buffer. A family in which some accounts' lines changed is patched:
///   the unchanged runs are copied from the old buffer as they are, so the
///   cost is one `memcpy` per run rather than a walk through every
///   account's lines (a collection usually changes the health gauges, not
///   the quota values, and then only those families are touched);
/// - per family again, gzip-compressed on first demand and kept with it:
///   at zlib's default level, or at the fast one for a family a collection
///   has changed since it was joined (the health gauges, at every
///   collection). Compressing the two 27-34 KB health families of 250
///   targets again at level 6 was 2.6 M of the 3.0 M instructions of a gzip
///   scrape after a collection; level 1 takes a third of that for 4 % more
///   bytes in those families. Segments of whole accounts, compressed
///   apart, were tried instead: 8 KB ones saved as much work but made the
///   body 45 % larger (each starts with an empty window and its own tables).
///
/// A snapshot the cache hands out again (same `serial`) costs one compare;
/// one the cache patched from the snapshot rendered last
/// (`CollectionSnapshot.patch`) is looked at only where it changed; any
/// other within one `layout` (no reload) is compared by position. So a
/// collection costs its account's changed families and their patches, not
/// a walk through every target.
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
        /// Per header: a collection has changed the family since it was
        /// joined, so it is compressed at the fast level.
        var churning: [Bool]
        /// The non-nil `byHeader` entries, and the header index of each.
        var families: [RenderedFamily]
        var headerOf: [Int]
    }

    /// One account's lines of one family, and what they were rendered
    /// from: a quota family's samples, or a health family's values in
    /// series order (nil where a target has no series yet).
    private struct Lines {
        var samples: [Sample] = []
        var values: [Double?] = []
        var bytes: [UInt8]
    }

    private struct PerFormat {
        /// The snapshot families' headers, sorted by name.
        var headers: [RenderedFamily]
        /// Header index by the name `SnapshotMetrics` gives a family (a
        /// counter's with `_total`, which OpenMetrics headers drop).
        var headerOfSource: [String: Int]
        /// Per header: whether it is one of `SnapshotMetrics.quotaFamilies`;
        /// the others are the collector health families.
        var isQuotaHeader: [Bool]
        var health: HealthLines
        /// Per target: its identity's label set (`HealthLines.labelSets`).
        var targetLabels: [[UInt8]] = []
        /// Per account (as in `accounts`): its target indexes in series
        /// order (`HealthLines.order`).
        var healthOrder: [[Int]] = []
        /// Per target: the readings and static labels its quota lines were
        /// last rendered from. Within one layout nothing else goes into a
        /// target's quota series (its identity is fixed by its position),
        /// so the very same arrays mean the same lines: two pointer
        /// compares instead of building and comparing the families. The
        /// arrays are kept, so their buffers cannot be reused meanwhile.
        var renderedInputs: [(readings: [QuotaReading], labels: [Label])?] = []
        var layout: UInt64 = 0
        /// Target index ranges of the accounts, in series order.
        var accounts: [Range<Int>] = []
        /// Per target index: its account's index in `accounts`.
        var accountOf: [Int] = []
        /// Per target: `revision << 1 | has readings`, as last rendered.
        var keys: [UInt64] = []
        /// Per account (as in `accounts`), per header: its lines.
        var lines: [[Lines?]] = []
        /// Per header, per account: the byte count of its lines in the
        /// joined family (0 for none), which is where `patch` finds them.
        var lengths: [[Int]] = []
        var assembled: Assembled?
    }

    private let lock = Lock()
    private var formats: [ExpositionFormat: PerFormat] = [:]
    private let writer = ExpositionWriter()
    private var accountRenders = 0
    private var familyRenders = 0
    private var compressions = 0
    private var fastCompressions = 0

    /// How many account renderings were made, for tests: state, not time.
    var accountRenderCount: Int { lock.withLock { accountRenders } }
    /// How many (account, family) line sets were rendered, for tests.
    var familyRenderCount: Int { lock.withLock { familyRenders } }
    /// How many cached families were gzip-compressed, for tests.
    var compressionCount: Int { lock.withLock { compressions } }
    /// How many of those were at the fast level (churning families).
    var fastCompressionCount: Int { lock.withLock { fastCompressions } }

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
            let churning = current && assembled.map { $0.churning[$0.headerOf[index]] } ?? false
            if churning { fastCompressions += 1 }
            let part = GzipPart.compress(families[index].bytes, level: churning ? GzipPart.freshLevel : GzipPart.cachedLevel)
            if current, let header = assembled?.headerOf[index] {
                formats[format]?.assembled?.gzip[header] = part
            }
            return part
        }
    }

    private static func sameBuffer<Element>(_ lhs: [Element], _ rhs: [Element]) -> Bool {
        lhs.withUnsafeBufferPointer { $0.baseAddress } == rhs.withUnsafeBufferPointer { $0.baseAddress } && lhs.count == rhs.count
    }

    private func assemble(_ snapshot: CollectionSnapshot, format: ExpositionFormat, state: inout PerFormat, report: (String) -> Void) {
        let targets = snapshot.targets
        func key(_ index: Int) -> UInt64 { targets[index].revision << 1 | (targets[index].readings.isEmpty ? 0 : 1) }
        /// The accounts to look at, ascending.
        var candidates: [Int]
        let relayout: Bool
        if snapshot.layout != 0, snapshot.layout == state.layout, let patch = snapshot.patch, patch.base == state.assembled?.serial,
            targets.count == state.keys.count, patch.indexes.allSatisfy({ $0 < targets.count && targets[$0].revision != 0 })
        {
            // Patched from the snapshot rendered last: only its changed targets' accounts.
            relayout = false
            candidates = []
            for index in patch.indexes {
                let account = state.accountOf[index]
                if candidates.last != account { candidates.append(account) }
            }
            candidates.sort()
        } else {
            let keys = targets.indices.map(key)
            // Revision 0 is a status the cache did not make (a test's): never reused.
            relayout = snapshot.layout == 0 || snapshot.layout != state.layout || keys.count != state.keys.count
                || keys.contains { $0 >> 1 == 0 }
            if relayout {
                state.accounts = Self.accounts(of: targets)
                state.accountOf = [Int](repeating: 0, count: targets.count)
                for (account, range) in state.accounts.enumerated() {
                    for index in range { state.accountOf[index] = account }
                }
                state.lines = Array(repeating: Array(repeating: nil, count: state.headers.count), count: state.accounts.count)
                state.lengths = Array(repeating: Array(repeating: 0, count: state.accounts.count), count: state.headers.count)
                state.keys = [UInt64](repeating: 0, count: targets.count)
                state.renderedInputs = Array(repeating: nil, count: targets.count)
                state.targetLabels = HealthLines.labelSets(targets)
                state.healthOrder = state.accounts.map { HealthLines.order($0, of: targets) }
            }
            candidates = state.accounts.indices.filter { account in
                // Element by element: comparing slices of the two arrays
                // cost more than the rest of a scrape that renders nothing.
                relayout || state.accounts[account].contains { keys[$0] != state.keys[$0] }
            }
        }
        /// Per header, the accounts whose lines changed, ascending.
        var changedAccounts = [[Int]](repeating: [], count: state.headers.count)
        for account in candidates {
            let range = state.accounts[account]
            for index in range { state.keys[index] = key(index) }
            accountRenders += 1
            let sameQuotaInputs = !relayout && range.allSatisfy { index in
                guard let kept = state.renderedInputs[index] else { return false }
                return Self.sameBuffer(kept.readings, targets[index].readings) && Self.sameBuffer(kept.labels, targets[index].labels)
            }
            for index in range {
                state.renderedInputs[index] = (targets[index].readings, targets[index].labels)
            }
            // The account's lines are edited in place: those it keeps are
            // neither copied nor compared again.
            if !sameQuotaInputs {
                var quotaLines = [Lines?](repeating: nil, count: state.headers.count)
                let part = CollectionSnapshot(targets: Array(targets[range]), version: snapshot.version)
                for family in SnapshotMetrics.quotaFamilies(part) where !family.samples.isEmpty {
                    guard let header = state.headerOfSource[family.name] else { continue }
                    // Bit for bit, as written (`SampleBytes`): quota labels
                    // come from providers' answers.
                    if let kept = state.lines[account][header], SampleBytes.same(kept.samples, family.samples) {
                        quotaLines[header] = kept
                        continue
                    }
                    familyRenders += 1
                    // Alone through the normaliser: the snapshot families
                    // have distinct names, so no rule of one depends on
                    // another. Quota labels come from providers' answers
                    // and the configuration, and are checked here.
                    let rendered = writer.renderEach([family], format: format, headers: false)
                    for problem in rendered.problems { report(problem.description) }
                    if let bytes = rendered.families.first?.bytes {
                        quotaLines[header] = Lines(samples: family.samples, bytes: bytes)
                    }
                }
                for header in quotaLines.indices where state.isQuotaHeader[header] {
                    if quotaLines[header]?.bytes != state.lines[account][header]?.bytes {
                        changedAccounts[header].append(account)
                    }
                    state.lines[account][header] = quotaLines[header]
                }
            }
            // The health families: written straight from the values, and
            // only when one of them moved.
            let order = state.healthOrder[account]
            let healthValues = state.health.values(order: order, targets: targets)
            for (position, values) in healthValues.enumerated() {
                let header = state.health.families[position].header
                guard values.contains(where: { $0 != nil }) else {
                    if state.lines[account][header] != nil {
                        state.lines[account][header] = nil
                        changedAccounts[header].append(account)
                    }
                    continue
                }
                if let kept = state.lines[account][header]?.values, SampleBytes.same(kept, values) { continue }
                familyRenders += 1
                state.lines[account][header] = Lines(
                    values: values,
                    bytes: state.health.lines(position, values: values, order: order, labels: state.targetLabels)
                )
                changedAccounts[header].append(account)
            }
        }
        state.layout = snapshot.layout

        guard !relayout, var assembled = state.assembled else {
            state.assembled = Self.joinAll(snapshot.serial, headers: state.headers, lines: state.lines, lengths: &state.lengths)
            return
        }
        // Edited in place (uniquely referenced meanwhile): only the changed
        // families are patched; the others, and their gzip forms, stay.
        state.assembled = nil
        var presenceChanged = false
        for header in state.headers.indices where !changedAccounts[header].isEmpty {
            let family: RenderedFamily?
            if let joined = assembled.byHeader[header] {
                family = Self.patch(
                    joined, headerCount: state.headers[header].bytes.count, lengths: &state.lengths[header], lines: state.lines, at: header,
                    changed: changedAccounts[header]
                )
            } else {
                family = Self.join(state.headers[header], state.lines, at: header, lengths: &state.lengths[header])
            }
            if (family == nil) != (assembled.byHeader[header] == nil) { presenceChanged = true }
            assembled.byHeader[header] = family
            assembled.gzip[header] = nil
            assembled.churning[header] = true
            if !presenceChanged, let family, let position = assembled.headerOf.firstIndex(of: header) {
                assembled.families[position] = family
            }
        }
        if presenceChanged {
            assembled.families = assembled.byHeader.compactMap { $0 }
            assembled.headerOf = assembled.byHeader.indices.filter { assembled.byHeader[$0] != nil }
        }
        assembled.serial = snapshot.serial
        state.assembled = assembled
    }

    /// Every family joined afresh from the accounts' lines.
    private static func joinAll(_ serial: UInt64, headers: [RenderedFamily], lines: [[Lines?]], lengths: inout [[Int]]) -> Assembled {
        var assembled = Assembled(
            serial: serial, byHeader: [], gzip: [GzipPart?](repeating: nil, count: headers.count),
            churning: [Bool](repeating: false, count: headers.count), families: [], headerOf: []
        )
        assembled.byHeader.reserveCapacity(headers.count)
        assembled.families.reserveCapacity(headers.count)
        assembled.headerOf.reserveCapacity(headers.count)
        for (index, header) in headers.enumerated() {
            let family = join(header, lines, at: index, lengths: &lengths[index])
            assembled.byHeader.append(family)
            if let family {
                assembled.families.append(family)
                assembled.headerOf.append(index)
            }
        }
        return assembled
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

    /// One `memcpy` per account's lines into a buffer allocated once:
    /// appending the parts of 250 accounts one by one cost more than
    /// rendering one, and so did collecting them into an array first.
    /// `lengths` (per account) is set to what `patch` needs.
    private static func join(_ header: RenderedFamily, _ lines: [[Lines?]], at index: Int, lengths: inout [Int]) -> RenderedFamily? {
        var total = header.bytes.count
        var any = false
        for account in lines.indices {
            let count = lines[account][index]?.bytes.count ?? 0
            lengths[account] = count
            total += count
            any = any || lines[account][index] != nil
        }
        guard any else { return nil }
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
            for account in lines.indices {
                if let part = lines[account][index] { copy(part.bytes) }
            }
        }
        return RenderedFamily(name: header.name, bytes: bytes)
    }

    /// `joined` with the lines of the `changed` accounts (ascending)
    /// replaced by their new ones, and `lengths` updated. Nil when no
    /// account has lines left.
    private static func patch(
        _ joined: RenderedFamily, headerCount: Int, lengths: inout [Int], lines: [[Lines?]], at index: Int, changed: [Int]
    ) -> RenderedFamily? {
        var total = joined.bytes.count
        for account in changed {
            total += (lines[account][index]?.bytes.count ?? 0) - lengths[account]
        }
        guard total > headerCount else {
            for account in changed { lengths[account] = 0 }
            return nil
        }
        let bytes = joined.bytes.withUnsafeBufferPointer { old in
            [UInt8](unsafeUninitializedCapacity: total) { buffer, count in
                count = 0
                func copy(_ source: UnsafeBufferPointer<UInt8>) {
                    if let base = source.baseAddress, !source.isEmpty {
                        memcpy(buffer.baseAddress! + count, base, source.count)
                    }
                    count += source.count
                }
                var read = 0  // how far `old` is copied or skipped
                var start = headerCount  // where account `next` begins in `old`
                var next = 0
                for account in changed {
                    while next < account {
                        start += lengths[next]
                        next += 1
                    }
                    copy(UnsafeBufferPointer(rebasing: old[read..<start]))
                    if let part = lines[account][index] {
                        part.bytes.withUnsafeBufferPointer { copy($0) }
                    }
                    read = start + lengths[account]
                    start = read
                    next = account + 1
                }
                copy(UnsafeBufferPointer(rebasing: old[read...]))
            }
        }
        for account in changed {
            lengths[account] = lines[account][index]?.bytes.count ?? 0
        }
        return RenderedFamily(name: joined.name, bytes: bytes)
    }

    /// The headers of the snapshot families (from `SnapshotMetrics` with no
    /// samples), sorted by name as the writer sorts families.
    private static func initial(format: ExpositionFormat, writer: ExpositionWriter) -> PerFormat {
        let empty = CollectionSnapshot(targets: [])
        let quotaNames = Set(SnapshotMetrics.quotaFamilies(empty).map(\.name))
        let sources = ExporterRuntime.snapshotFamilies(empty)
        let headers = sources.map { (source: $0.name, header: writer.header(of: $0, format: format)) }
            .sorted { $0.header.name.utf8.lexicographicallyPrecedes($1.header.name.utf8) }
        let isQuota = headers.map { quotaNames.contains($0.source) }
        let headerOfSource = Dictionary(uniqueKeysWithValues: headers.enumerated().map { ($1.source, $0) })
        return PerFormat(
            headers: headers.map(\.header),
            headerOfSource: headerOfSource,
            isQuotaHeader: isQuota,
            health: HealthLines(format: format) { headerOfSource[$0]! }
        )
    }
}
