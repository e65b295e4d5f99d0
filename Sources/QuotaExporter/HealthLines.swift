import QuotaCollection
import QuotaExposition

/// The collector health families' lines (`CollectorHealthFamily`) of one
/// account at a time, written straight from its targets' values in one
/// format, byte for byte as `ExpositionWriter` writes them.
///
/// They are the exporter's own: constant names, label sets that are the
/// targets' identities (the loader refuses duplicates, so no series
/// repeats), values it computed. So nothing is normalised or sorted at a
/// collection: each target's label set is written once per configuration
/// (`labelSets`), the series order within an account is fixed then too
/// (`order`), and a collection takes the values and writes the lines of the
/// families whose values moved.
struct HealthLines {
    /// One health family: its header index among the snapshot families,
    /// its line writer, and its series per target in series order, each
    /// with what closes the target's label set: `}` alone, or for
    /// `errors_total` the reasons by value, bytewise, each `,reason="…"}`.
    struct Family {
        var family: CollectorHealthFamily
        var header: Int
        var writer: SampleLineWriter
        var closings: [(reason: CollectorError.Reason?, bytes: [UInt8])]
    }

    let families: [Family]

    /// `header(name)`: the header index of the family the snapshot
    /// families call `name`.
    init(format: ExpositionFormat, header: (String) -> Int) {
        let reasons: [(reason: CollectorError.Reason?, bytes: [UInt8])] = CollectorHealthFamily.reasons
            .sorted { $0.rawValue.utf8Precedes($1.rawValue) }
            .map { (reason: $0, bytes: SampleLineWriter.closingLabel(Label("reason", $0.rawValue))) }
        families = CollectorHealthFamily.allCases.map { family in
            Family(
                family: family, header: header(family.name), writer: SampleLineWriter(family: family.name, type: family.type, format: format),
                closings: family == .errors ? reasons : [(reason: nil, bytes: SampleLineWriter.closingBrace)]
            )
        }
    }

    /// Per target, its identity's label set, open (`SampleLineWriter`).
    static func labelSets(_ targets: [TargetStatus]) -> [[UInt8]] {
        targets.map { SampleLineWriter.openLabelSet($0.identity.labels) }
    }

    /// An account's target indexes in series order: by collector,
    /// bytewise (provider and account are the same for all of them).
    static func order(_ account: Range<Int>, of targets: [TargetStatus]) -> [Int] {
        account.sorted { targets[$0].identity.collector.utf8Precedes(targets[$1].identity.collector) }
    }

    /// Per family (as in `families`), its values for one account's
    /// targets (`order`) in series order: per target one, or one per
    /// reason; nil where a target has no series yet. All families in one
    /// pass over the targets: taking a status out of the array copies all
    /// of it (retaining its strings, arrays and dictionary), once per
    /// target here rather than once per value.
    func values(order: [Int], targets: [TargetStatus]) -> [[Double?]] {
        var values = families.map { family in
            var column: [Double?] = []
            column.reserveCapacity(order.count * family.closings.count)
            return column
        }
        for index in order {
            let target = targets[index]
            for (position, family) in families.enumerated() {
                for closing in family.closings {
                    values[position].append(family.family.value(of: target, reason: closing.reason))
                }
            }
        }
        return values
    }

    /// The lines of `families[position]` for `values` (from `values`, for
    /// the same `order`); `labels` from `labelSets`.
    func lines(_ position: Int, values: [Double?], order: [Int], labels: [[UInt8]]) -> [UInt8] {
        let family = families[position]
        var bytes: [UInt8] = []
        bytes.reserveCapacity(values.count * (labels[order[0]].count + 96))
        var next = 0
        for index in order {
            for closing in family.closings {
                if let value = values[next] { family.writer.append(labels: labels[index], closing: closing.bytes, value: value, to: &bytes) }
                next += 1
            }
        }
        return bytes
    }
}
