import QuotaExposition

/// The body as text, so tests can compare it with a hand-written literal.
func renderText(_ families: [MetricFamily], _ format: ExpositionFormat = .text) -> String {
    String(decoding: ExpositionWriter().render(families, format: format).bytes, as: UTF8.self)
}

func problems(_ families: [MetricFamily], _ format: ExpositionFormat = .text) -> [ExpositionProblem] {
    ExpositionWriter().render(families, format: format).problems
}

func gauge(_ name: String, help: String = "A gauge.", _ samples: [Sample]) -> MetricFamily {
    MetricFamily(name: name, help: help, type: .gauge, samples: samples)
}

func counter(_ name: String, help: String = "A counter.", _ samples: [Sample]) -> MetricFamily {
    MetricFamily(name: name, help: help, type: .counter, samples: samples)
}

/// `sample(3, "region", "eu", "kind", "cpu")`: labels as name/value pairs.
func sample(_ value: Double, _ pairs: String...) -> Sample {
    precondition(pairs.count.isMultiple(of: 2), "labels come in name/value pairs")
    let labels = stride(from: 0, to: pairs.count, by: 2).map { Label(pairs[$0], pairs[$0 + 1]) }
    return Sample(labels: labels, value: value)
}

/// The sample lines of a text-format body, without HELP and TYPE.
func sampleLines(_ body: String) -> [Substring] {
    body.split(separator: "\n").filter { !$0.hasPrefix("#") }
}

/// How the writer prints one value: the last field of its sample line.
func valueText(_ value: Double) -> String {
    let body = renderText([gauge("v", [Sample(value: value)])])
    return String(sampleLines(body)[0].split(separator: " ").last!)
}
