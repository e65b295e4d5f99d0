/// Why the writer left something out of (or changed something in) a scrape.
///
/// The writer never fails a scrape over one bad series: it drops what
/// Prometheus would reject and reports it here, so the caller can log it and
/// the rest of the scrape still lands. `description` names the metric and,
/// for series problems, the labels, in the text format's own syntax so it
/// can be grepped for.
public struct ExpositionProblem: Sendable, Hashable, CustomStringConvertible {
    public enum Reason: Sendable, Hashable {
        /// The family's name does not match `[a-zA-Z_:][a-zA-Z0-9_:]*`.
        case invalidMetricName
        /// This label name does not match `[a-zA-Z_][a-zA-Z0-9_]*`.
        case invalidLabelName(String)
        /// This label name starts with `__`, which Prometheus keeps for itself.
        case reservedLabelName(String)
        /// This label name appears more than once in the same sample.
        case duplicateLabelName(String)
        /// An earlier sample of the family has the same label set (in any
        /// order; an empty value counts as an absent label, as in Prometheus).
        case duplicateSeries
        /// A counter's value is negative or NaN, which no counter can be and
        /// which OpenMetrics parsers reject.
        case invalidCounterValue
        /// An info sample's value is not 1, which OpenMetrics requires.
        case invalidInfoValue
        /// An earlier family of the same name has this other type.
        case conflictingType(earlier: MetricType)
        /// An earlier family of the same name and type has this other HELP;
        /// the samples were merged and the earlier HELP kept.
        case conflictingHelp(earlier: String)
        /// The family's name (or, in OpenMetrics, one of the sample names its
        /// type implies, like `x_total` or `x_created`) is already used by
        /// the earlier family named here.
        case nameClash(with: String)
    }

    /// The metric name as the caller gave it.
    public var metric: String
    /// The dropped sample's labels; empty for problems about a whole family.
    public var labels: [Label]
    public var reason: Reason
    /// How many samples were left out because of this problem; 0 when
    /// nothing was dropped (a HELP conflict only loses the later HELP).
    public var droppedSamples: Int

    public init(metric: String, labels: [Label] = [], reason: Reason, droppedSamples: Int) {
        self.metric = metric
        self.labels = labels
        self.reason = reason
        self.droppedSamples = droppedSamples
    }

    public var description: String {
        switch reason {
        case .invalidMetricName:
            "dropped family \(quoted(metric)): metric name must match [a-zA-Z_:][a-zA-Z0-9_:]*"
        case .invalidLabelName(let name):
            "dropped series \(series): label name \(quoted(name)) must match [a-zA-Z_][a-zA-Z0-9_]*"
        case .reservedLabelName(let name):
            "dropped series \(series): label name \(quoted(name)) starts with \"__\", which is reserved"
        case .duplicateLabelName(let name):
            "dropped series \(series): label name \(quoted(name)) appears more than once"
        case .duplicateSeries:
            "dropped series \(series): an earlier sample has the same metric name and labels"
        case .invalidCounterValue:
            "dropped series \(series): a counter cannot be negative or NaN"
        case .invalidInfoValue:
            "dropped series \(series): an info metric's value is always 1"
        case .conflictingType(let earlier):
            "dropped family \(quoted(metric)) (\(droppedSamples) samples): an earlier family of that name is a \(earlier.rawValue)"
        case .conflictingHelp(let earlier):
            "family \(quoted(metric)): HELP differs from an earlier family of that name; kept the earlier \(quoted(earlier))"
        case .nameClash(let other):
            "dropped family \(quoted(metric)) (\(droppedSamples) samples): its name clashes with the samples of the earlier family \(quoted(other))"
        }
    }

    /// `name{label="value",...}` as the text format would write it.
    private var series: String {
        guard !labels.isEmpty else { return metric }
        let pairs = labels.map { "\($0.name)=\(quoted($0.value))" }
        return "\(metric){\(pairs.joined(separator: ","))}"
    }

    /// Double-quoted with `\`, `"` and newline escaped, so a hostile value
    /// cannot forge a second log line.
    private func quoted(_ text: String) -> String {
        var result = "\""
        for character in text.unicodeScalars {
            switch character {
            case "\\": result += "\\\\"
            case "\"": result += "\\\""
            case "\n": result += "\\n"
            default: result.unicodeScalars.append(character)
            }
        }
        return result + "\""
    }
}
