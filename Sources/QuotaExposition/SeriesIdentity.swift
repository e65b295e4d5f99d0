/// What makes two samples of one family the same series to Prometheus.
///
/// Label order does not matter, and a label with an empty value is the same
/// as no label at all (Prometheus drops empty labels on ingestion), so
/// `{a="1",b=""}` and `{b="",a="1"}` and `{a="1"}` are one series and only the
/// first is kept. Stored as one byte key because a family can hold tens of
/// thousands of samples and hashing bytes is far cheaper than hashing labels.
struct SeriesIdentity: Hashable {
    private var key: [UInt8] = []

    /// Expects label names to be unique within the sample (already checked),
    /// so sorting by name alone is a total order.
    init(_ labels: [Label]) {
        let isSortedByName = zip(labels, labels.dropFirst()).allSatisfy { $0.name.utf8Precedes($1.name) }
        key.reserveCapacity(labels.count * 32)
        let canonical = isSortedByName ? labels : labels.sorted { $0.name.utf8Precedes($1.name) }
        for label in canonical where !label.value.isEmpty {
            LabelKeyEncoding.appendElement(label.name, to: &key)
            LabelKeyEncoding.appendElement(label.value, to: &key)
        }
    }

    /// True when every sample has the same label names in the same order
    /// and no empty values: then equal identities mean equal label lists,
    /// and comparing those (as `SampleSorter` does) is enough.
    static func isOrderEnough(for samples: [Sample]) -> Bool {
        guard let first = samples.first else { return true }
        return samples.allSatisfy { sample in
            sample.labels.count == first.labels.count
                && zip(sample.labels, first.labels).allSatisfy { $0.name == $1.name && !$0.value.isEmpty }
        }
    }

    func hash(into hasher: inout Hasher) {
        key.withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}
