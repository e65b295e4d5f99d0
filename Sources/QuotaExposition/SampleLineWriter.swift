/// Sample lines of one family written from parts rendered once, byte for
/// byte as `ExpositionWriter` writes them: each series' label set, opened
/// (`openLabelSet`) and closed either by `}` or by one more label
/// (`closingLabel`).
///
/// No normalising and no sorting: for families the exporter builds itself,
/// whose names are constants and whose label sets are its own targets'
/// identities, made once per configuration (the collector health lines of
/// `/metrics`). Building a `MetricFamily` of samples for one target's
/// health gauges, comparing them and writing them cost ~22 000
/// instructions per collection; taking its values and writing the lines
/// that changed from kept parts, ~6 500 (a third of it the shortest
/// decimal form of its two times).
public struct SampleLineWriter: Sendable {
    /// The sample name in this format (a counter's with `_total`).
    private let sampleName: [UInt8]

    /// `}`: what completes an open label set with no further label.
    public static let closingBrace: [UInt8] = [UInt8(ascii: "}")]

    public init(family name: String, type: MetricType, format: ExpositionFormat) {
        sampleName = Array(ExposedNames(name: name, type: type, format: format).sample.utf8)
    }

    /// `{name="value",...` with values escaped, but without the closing
    /// brace. `labels` must not be empty (a series without labels has no
    /// braces at all).
    public static func openLabelSet(_ labels: [Label]) -> [UInt8] {
        precondition(!labels.isEmpty, "an open label set needs a label")
        var buffer = ExpositionBuffer(reservingCapacity: labels.reduce(2) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 })
        ExpositionWriter.writeLabels(labels, to: &buffer)
        var bytes = buffer.bytes
        bytes.removeLast()
        return bytes
    }

    /// `,name="value"}`: one more label after an open label set, and the
    /// closing brace.
    public static func closingLabel(_ label: Label) -> [UInt8] {
        var buffer = ExpositionBuffer(reservingCapacity: label.name.utf8.count + label.value.utf8.count + 5)
        ExpositionWriter.writeLabels([label], to: &buffer)
        var bytes = buffer.bytes
        bytes[0] = UInt8(ascii: ",")
        return bytes
    }

    /// Appends `name{labels…} value\n`.
    public func append(labels: [UInt8], closing: [UInt8], value: Double, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: sampleName)
        bytes.append(contentsOf: labels)
        bytes.append(contentsOf: closing)
        bytes.append(UInt8(ascii: " "))
        SampleValueText.append(value, to: &bytes)
        bytes.append(UInt8(ascii: "\n"))
    }
}
