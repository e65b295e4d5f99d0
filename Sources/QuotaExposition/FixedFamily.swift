/// A one-series family the exporter builds itself (`process_*`, build and
/// reload metrics) whose name, HELP, TYPE and labels never change: all of
/// that is rendered once, and a scrape writes only the value.
///
/// No normalisation: the names are constants of this program, checked by
/// its tests, so checking them again at every scrape would only cost time.
public struct FixedFamily: Sendable {
    /// The family's name in this format (a counter's without `_total` in
    /// OpenMetrics), for merging with other families by name.
    public let name: String
    /// `# HELP`, `# TYPE`, the sample name and labels, and the space before
    /// the value.
    public let prefix: [UInt8]

    public init(name: String, help: String, type: MetricType, labels: [Label] = [], format: ExpositionFormat) {
        let names = ExposedNames(name: name, type: type, format: format)
        var buffer = ExpositionBuffer(reservingCapacity: 2 * help.utf8.count + 3 * names.sample.utf8.count + 64)
        ExpositionWriter.writeHeader(names.family, help: help, type: type, format: format, to: &buffer)
        buffer.append(names.sample)
        ExpositionWriter.writeLabels(labels, to: &buffer)
        buffer.append(byte: UInt8(ascii: " "))
        self.name = names.family
        self.prefix = buffer.bytes
    }

    /// The whole family with this value.
    public func rendered(_ value: Double) -> RenderedFamily {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(prefix.count + 25)
        bytes.append(contentsOf: prefix)
        SampleValueText.append(value, to: &bytes)
        bytes.append(UInt8(ascii: "\n"))
        return RenderedFamily(name: name, bytes: bytes)
    }
}
