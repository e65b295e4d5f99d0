/// Renders metric families as the body of a scrape, in either format.
///
/// `render` never throws: what Prometheus would reject is left out and
/// explained in `Rendering.problems`, so one bad series costs that series,
/// not the scrape. The same families always give the same bytes, whatever
/// order they arrive in, so diffs between scrapes show only real changes.
/// No timestamps are written: Prometheus stamps the scrape itself, and an
/// exporter's own timestamps cause staleness surprises.
public struct ExpositionWriter: Sendable {
    public init() {}

    public func render(_ families: [MetricFamily], format: ExpositionFormat) -> Rendering {
        var normalizer = FamilyNormalizer(format: format)
        let exposed = normalizer.normalize(families)

        var buffer = ExpositionBuffer(reservingCapacity: Self.estimatedByteCount(of: exposed))
        for family in exposed {
            Self.write(family, format: format, to: &buffer)
        }
        if format == .openMetrics {
            buffer.append("# EOF\n")
        }
        return Rendering(bytes: buffer.bytes, problems: normalizer.problems)
    }

    /// Each family rendered on its own, sorted by name, with no `# EOF`:
    /// for a body assembled from parts rendered at different times, which
    /// `RenderedFamily.body(merging:format:)` interleaves into one sorted
    /// exposition.
    ///
    /// With `headers: false` each family's bytes are its sample lines only:
    /// for series rendered in parts (one account's targets at a time) that
    /// are joined under one `header(of:format:)` later.
    public func renderEach(_ families: [MetricFamily], format: ExpositionFormat, headers: Bool = true) -> RenderedFamilies {
        var normalizer = FamilyNormalizer(format: format)
        let rendered = normalizer.normalize(families).map { family in
            var buffer = ExpositionBuffer(reservingCapacity: Self.estimatedByteCount(of: [family]))
            if headers {
                Self.writeHeader(family.names.family, help: family.help, type: family.type, format: format, to: &buffer)
            }
            Self.writeSamples(family, to: &buffer)
            return RenderedFamily(name: family.names.family, bytes: buffer.bytes)
        }
        return RenderedFamilies(families: rendered, problems: normalizer.problems)
    }

    /// `# HELP` and `# TYPE` of `family` (its samples are ignored), named as
    /// `format` names the family; rendered once for families whose lines
    /// are rendered in parts.
    public func header(of family: MetricFamily, format: ExpositionFormat) -> RenderedFamily {
        let names = ExposedNames(name: family.name, type: family.type, format: format)
        var buffer = ExpositionBuffer(reservingCapacity: family.help.utf8.count + 2 * names.family.utf8.count + 32)
        Self.writeHeader(names.family, help: family.help, type: family.type, format: format, to: &buffer)
        return RenderedFamily(name: names.family, bytes: buffer.bytes)
    }

    /// A family the exporter builds itself, written without the checks and
    /// merging of `render`: its names are constants and its labels its own,
    /// so only the samples are sorted (they may come from a dictionary) and
    /// values escaped. Nil when it has no samples.
    ///
    /// With `headers: false`, the sample lines only (see `renderEach`).
    public func renderTrusted(_ family: MetricFamily, format: ExpositionFormat, headers: Bool = true) -> RenderedFamily? {
        guard !family.samples.isEmpty else { return nil }
        let names = ExposedNames(name: family.name, type: family.type, format: format)
        let exposed = ExposedFamily(
            names: names, sourceName: family.name, help: family.help, type: family.type,
            samples: SampleSorter.sortedDroppingRepeats(family.samples).kept
        )
        var buffer = ExpositionBuffer(reservingCapacity: Self.estimatedByteCount(of: [exposed]))
        if headers {
            Self.write(exposed, format: format, to: &buffer)
        } else {
            Self.writeSamples(exposed, to: &buffer)
        }
        return RenderedFamily(name: names.family, bytes: buffer.bytes)
    }

    /// `# HELP`, `# TYPE`, then one line per sample.
    static func write(_ family: ExposedFamily, format: ExpositionFormat, to buffer: inout ExpositionBuffer) {
        writeHeader(family.names.family, help: family.help, type: family.type, format: format, to: &buffer)
        writeSamples(family, to: &buffer)
    }

    /// HELP is left out when empty rather than written as a dangling
    /// `# HELP name `.
    static func writeHeader(_ name: String, help: String, type: MetricType, format: ExpositionFormat, to buffer: inout ExpositionBuffer) {
        if !help.isEmpty {
            buffer.append("# HELP ")
            buffer.append(name)
            buffer.append(byte: UInt8(ascii: " "))
            buffer.appendEscaped(help, escapingQuotes: format == .openMetrics)
            buffer.append(byte: UInt8(ascii: "\n"))
        }
        buffer.append("# TYPE ")
        buffer.append(name)
        buffer.append(byte: UInt8(ascii: " "))
        buffer.append(type.typeName(in: format))
        buffer.append(byte: UInt8(ascii: "\n"))
    }

    private static func writeSamples(_ family: ExposedFamily, to buffer: inout ExpositionBuffer) {
        for sample in family.samples {
            buffer.append(family.names.sample)
            writeLabels(sample.labels, to: &buffer)
            buffer.append(byte: UInt8(ascii: " "))
            buffer.append(value: sample.value)
            buffer.append(byte: UInt8(ascii: "\n"))
        }
    }

    /// `{name="value",...}` in the caller's label order; nothing when there
    /// are no labels.
    static func writeLabels(_ labels: [Label], to buffer: inout ExpositionBuffer) {
        guard !labels.isEmpty else { return }
        buffer.append(byte: UInt8(ascii: "{"))
        for (index, label) in labels.enumerated() {
            if index > 0 {
                buffer.append(byte: UInt8(ascii: ","))
            }
            buffer.append(label.name)
            buffer.append("=\"")
            buffer.appendEscaped(label.value, escapingQuotes: true)
            buffer.append(byte: UInt8(ascii: "\""))
        }
        buffer.append(byte: UInt8(ascii: "}"))
    }

    /// A slight overestimate of the body size, so the buffer is allocated
    /// once: escapes are rare, and a value takes at most 24 bytes.
    private static func estimatedByteCount(of families: [ExposedFamily]) -> Int {
        var total = "# EOF\n".utf8.count
        for family in families {
            total += 2 * family.names.family.utf8.count + family.help.utf8.count + 32
            for sample in family.samples {
                total += family.names.sample.utf8.count + 28
                for label in sample.labels {
                    total += label.name.utf8.count + label.value.utf8.count + 4
                }
            }
        }
        return total
    }
}
