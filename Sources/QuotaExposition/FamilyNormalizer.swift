/// Turns whatever the collectors produced into what may be exposed: valid
/// names, one family per name, one sample per label set, a stable order.
///
/// Each rule drops the smallest thing that breaks it (a sample rather than
/// its family, the later of two conflicting families rather than both) and
/// records an `ExpositionProblem`, because one bad series must not cost the
/// whole scrape: Prometheus rejects an entire scrape over a single
/// duplicate series or malformed line.
struct FamilyNormalizer {
    let format: ExpositionFormat
    private(set) var problems: [ExpositionProblem] = []

    init(format: ExpositionFormat) {
        self.format = format
    }

    /// The families to write: sorted by family name, none empty, each with
    /// its valid, unique samples in `SampleSorter` order.
    mutating func normalize(_ families: [MetricFamily]) -> [ExposedFamily] {
        var exposed = mergeByName(families).compactMap { keepValidSamples(of: $0) }
        exposed.sort { $0.names.family.utf8Precedes($1.names.family) }
        return exposed
    }

    /// One entry per exposed family name, in first-seen order. A namesake of
    /// the same type is merged in (collectors for several accounts each
    /// return their own `quota_limit` family); one of another type, or one
    /// whose name collides with another family's samples, is dropped.
    private mutating func mergeByName(_ families: [MetricFamily]) -> [ExposedFamily] {
        // One family has nothing to merge or clash with: the lookups below
        // were most of the cost of rendering one account's changed family.
        if families.count == 1, let family = families.first {
            guard !family.samples.isEmpty else { return [] }
            guard NameRules.isValidMetricName(family.name) else {
                report(family, .invalidMetricName)
                return []
            }
            let names = ExposedNames(name: family.name, type: family.type, format: format)
            return [ExposedFamily(names: names, sourceName: family.name, help: family.help, type: family.type, samples: family.samples)]
        }
        var merged: [ExposedFamily] = []
        var indexByFamilyName: [String: Int] = [:]
        var ownerOfName: [String: Int] = [:]

        for family in families where !family.samples.isEmpty {
            guard NameRules.isValidMetricName(family.name) else {
                report(family, .invalidMetricName)
                continue
            }
            let names = ExposedNames(name: family.name, type: family.type, format: format)

            if let index = indexByFamilyName[names.family] {
                let earlier = merged[index]
                guard earlier.type == family.type else {
                    report(family, .conflictingType(earlier: earlier.type))
                    continue
                }
                if earlier.help != family.help {
                    problems.append(ExpositionProblem(
                        metric: family.name, reason: .conflictingHelp(earlier: earlier.help), droppedSamples: 0
                    ))
                }
                merged[index].samples.append(contentsOf: family.samples)
                continue
            }

            if let owner = names.reserved.lazy.compactMap({ ownerOfName[$0] }).first {
                report(family, .nameClash(with: merged[owner].sourceName))
                continue
            }

            indexByFamilyName[names.family] = merged.count
            for name in names.reserved {
                ownerOfName[name] = merged.count
            }
            merged.append(ExposedFamily(
                names: names, sourceName: family.name, help: family.help, type: family.type, samples: family.samples
            ))
        }
        return merged
    }

    /// The family with its invalid and duplicate samples dropped (the first
    /// of duplicates wins) and the rest sorted; nil when none survive.
    private mutating func keepValidSamples(of family: ExposedFamily) -> ExposedFamily? {
        var valid: [Sample] = []
        valid.reserveCapacity(family.samples.count)
        for sample in family.samples {
            if let reason = Self.problem(with: sample, type: family.type) {
                report(family, sample, reason)
            } else {
                valid.append(sample)
            }
        }

        // The sorter catches repeats with identical labels in identical
        // order. Only when samples differ in label names or order, or have
        // empty values, can the same series hide behind different labels,
        // and only then is the slower identity check needed.
        if !SeriesIdentity.isOrderEnough(for: valid) {
            valid = dropDuplicateIdentities(valid, of: family)
        }
        let (sorted, repeats) = SampleSorter.sortedDroppingRepeats(valid)
        for sample in repeats {
            report(family, sample, .duplicateSeries)
        }
        guard !sorted.isEmpty else { return nil }

        var result = family
        result.samples = sorted
        return result
    }

    /// Keeps the first sample of each `SeriesIdentity`, in input order.
    private mutating func dropDuplicateIdentities(_ samples: [Sample], of family: ExposedFamily) -> [Sample] {
        var seen = Set<SeriesIdentity>(minimumCapacity: samples.count)
        return samples.filter { sample in
            guard seen.insert(SeriesIdentity(sample.labels)).inserted else {
                report(family, sample, .duplicateSeries)
                return false
            }
            return true
        }
    }

    /// Why this sample cannot be exposed, if it cannot.
    private static func problem(with sample: Sample, type: MetricType) -> ExpositionProblem.Reason? {
        for (index, label) in sample.labels.enumerated() {
            if !NameRules.isValidLabelName(label.name) {
                return .invalidLabelName(label.name)
            }
            if NameRules.isReservedLabelName(label.name) {
                return .reservedLabelName(label.name)
            }
            if sample.labels[..<index].contains(where: { $0.name == label.name }) {
                return .duplicateLabelName(label.name)
            }
        }
        if type == .counter && (sample.value.isNaN || sample.value < 0) {
            return .invalidCounterValue
        }
        if type == .info && sample.value != 1 {
            return .invalidInfoValue
        }
        return nil
    }

    private mutating func report(_ family: MetricFamily, _ reason: ExpositionProblem.Reason) {
        problems.append(ExpositionProblem(
            metric: family.name, reason: reason, droppedSamples: family.samples.count
        ))
    }

    private mutating func report(_ family: ExposedFamily, _ sample: Sample, _ reason: ExpositionProblem.Reason) {
        problems.append(ExpositionProblem(
            metric: family.sourceName, labels: sample.labels, reason: reason, droppedSamples: 1
        ))
    }
}
