#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Puts a family's samples in the order they are written, so the same input
/// always gives byte-identical output whatever order collectors finished in,
/// and drops exact repeats on the way.
///
/// The order: label values in the sample's own label order first (so
/// `{region="eu"}` comes before `{region="us"}`, the way an operator reads a
/// list), then label names; both compared as UTF-8 bytes, and a sample whose
/// labels run out first comes first.
enum SampleSorter {
    /// Where one sample's key lives in the shared key bytes. Plain integers,
    /// so sorting moves no reference-counted values.
    private struct KeyRange {
        var start: Int
        var end: Int
        var sampleIndex: Int
    }

    /// The samples in exposition order, and those left out because an
    /// earlier sample (by input position) has the same labels in the same
    /// order. Samples that are the same series only up to label order or
    /// empty values are not caught here; see `SeriesIdentity`.
    static func sortedDroppingRepeats(_ samples: [Sample]) -> (kept: [Sample], repeats: [Sample]) {
        guard samples.count > 1 else { return (samples, []) }

        var keyBytes: [UInt8] = []
        keyBytes.reserveCapacity(samples.count * 64)
        var ranges: [KeyRange] = []
        ranges.reserveCapacity(samples.count)
        for (index, sample) in samples.enumerated() {
            let start = keyBytes.count
            appendKey(for: sample, to: &keyBytes)
            ranges.append(KeyRange(start: start, end: keyBytes.count, sampleIndex: index))
        }

        var kept: [Sample] = []
        kept.reserveCapacity(samples.count)
        var repeats: [Sample] = []
        keyBytes.withUnsafeBufferPointer { keys in
            // The index tie-break puts the first of equal keys first, so it
            // is the one kept.
            ranges.sort { lhs, rhs in
                let order = compare(lhs, rhs, in: keys)
                return order < 0 || (order == 0 && lhs.sampleIndex < rhs.sampleIndex)
            }
            for (position, range) in ranges.enumerated() {
                if position > 0 && compare(ranges[position - 1], range, in: keys) == 0 {
                    repeats.append(samples[range.sampleIndex])
                } else {
                    kept.append(samples[range.sampleIndex])
                }
            }
        }
        return (kept, repeats)
    }

    private static func appendKey(for sample: Sample, to key: inout [UInt8]) {
        for label in sample.labels {
            LabelKeyEncoding.appendElement(label.value, to: &key)
        }
        LabelKeyEncoding.appendEndOfList(to: &key)
        for label in sample.labels {
            LabelKeyEncoding.appendElement(label.name, to: &key)
        }
        LabelKeyEncoding.appendEndOfList(to: &key)
    }

    /// memcmp's sign convention: negative when `lhs` sorts first.
    private static func compare(_ lhs: KeyRange, _ rhs: KeyRange, in keys: UnsafeBufferPointer<UInt8>) -> Int {
        let lhsCount = lhs.end - lhs.start
        let rhsCount = rhs.end - rhs.start
        let order = memcmp(keys.baseAddress! + lhs.start, keys.baseAddress! + rhs.start, min(lhsCount, rhsCount))
        if order != 0 { return Int(order) }
        return lhsCount - rhsCount
    }
}
