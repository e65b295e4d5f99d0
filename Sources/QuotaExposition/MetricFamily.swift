/// The kind of a metric family. Only what this exporter emits: quota values
/// and self metrics are gauges, error and request counts are counters, and
/// string metadata (`*_info`, value 1) is info.
public enum MetricType: String, Sendable, Hashable {
    case gauge
    case counter
    /// OpenMetrics' info type; the text format has none and says `gauge`,
    /// as client_golang does for `*_info` metrics.
    case info

    /// The word on the `# TYPE` line in `format`.
    func typeName(in format: ExpositionFormat) -> String {
        self == .info && format == .text ? MetricType.gauge.rawValue : rawValue
    }
}

/// One label pair. Order inside a sample is kept as given; the writer does
/// not reorder labels, so callers put the stable identity labels first.
public struct Label: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// One series of a family: its labels and current value.
public struct Sample: Sendable, Hashable {
    public var labels: [Label]
    public var value: Double

    public init(labels: [Label] = [], value: Double) {
        self.labels = labels
        self.value = value
    }
}

/// A named group of samples sharing HELP and TYPE.
///
/// A counter's `name` carries its `_total` suffix (as in text format 0.0.4);
/// the OpenMetrics writer strips it for the family line.
public struct MetricFamily: Sendable, Hashable {
    public var name: String
    public var help: String
    public var type: MetricType
    public var samples: [Sample]

    public init(name: String, help: String, type: MetricType, samples: [Sample] = []) {
        self.name = name
        self.help = help
        self.type = type
        self.samples = samples
    }
}
