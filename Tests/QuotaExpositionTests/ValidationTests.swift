import Testing
import QuotaExposition

@Suite("Dropping what Prometheus would reject")
struct ValidationTests {
    @Test func duplicateSeriesKeepsTheFirstAndReportsTheRest() {
        let family = gauge("quota_usage", help: "Usage.", [
            sample(1, "region", "eu", "quota", "ips"),
            sample(2, "quota", "ips", "region", "eu"),
            sample(3, "region", "us", "quota", "ips"),
        ])
        let rendering = ExpositionWriter().render([family], format: .text)
        #expect(String(decoding: rendering.bytes, as: UTF8.self) == """
            # HELP quota_usage Usage.
            # TYPE quota_usage gauge
            quota_usage{region="eu",quota="ips"} 1
            quota_usage{region="us",quota="ips"} 3

            """)
        #expect(rendering.problems == [
            ExpositionProblem(
                metric: "quota_usage", labels: [Label("quota", "ips"), Label("region", "eu")],
                reason: .duplicateSeries, droppedSamples: 1
            ),
        ])
        #expect(rendering.problems[0].description
            == #"dropped series quota_usage{quota="ips",region="eu"}: an earlier sample has the same metric name and labels"#)
    }

    @Test func exactRepeatIsADuplicateToo() {
        let family = gauge("g", [sample(1, "a", "x"), sample(2, "a", "y"), sample(3, "a", "x")])
        #expect(renderText([family]) == """
            # HELP g A gauge.
            # TYPE g gauge
            g{a="x"} 1
            g{a="y"} 2

            """)
        #expect(problems([family]).map(\.reason) == [.duplicateSeries])
        #expect(problems([family]).map(\.labels) == [[Label("a", "x")]])
    }

    @Test func emptyLabelValueIsTheSameSeriesAsNoLabel() {
        let family = gauge("g", [sample(1, "a", "x"), sample(2, "a", "x", "b", "")])
        #expect(renderText([family]) == """
            # HELP g A gauge.
            # TYPE g gauge
            g{a="x"} 1

            """)
        #expect(problems([family]).map(\.reason) == [.duplicateSeries])
    }

    @Test func invalidMetricNameDropsTheFamily() {
        let families = [
            gauge("quota-limit", [sample(1), sample(2, "a", "b")]),
            gauge("9lives", [sample(1)]),
            gauge("", [sample(1)]),
            gauge("ok:recording_rule_style", [sample(1)]),
        ]
        #expect(renderText(families) == """
            # HELP ok:recording_rule_style A gauge.
            # TYPE ok:recording_rule_style gauge
            ok:recording_rule_style 1

            """)
        let found = problems(families)
        #expect(found.map(\.metric) == ["quota-limit", "9lives", ""])
        #expect(found.allSatisfy { $0.reason == .invalidMetricName })
        #expect(found[0].droppedSamples == 2)
        #expect(found[0].description == #"dropped family "quota-limit": metric name must match [a-zA-Z_:][a-zA-Z0-9_:]*"#)
    }

    @Test func badLabelNamesDropOnlyThatSample() {
        let family = gauge("g", [
            sample(1, "good", "1"),
            sample(2, "bad-name", "2"),
            sample(3, "__reserved", "3"),
            sample(4, "dup", "a", "dup", "b"),
            sample(5, "9start", "5"),
            sample(6, "has:colon", "6"),
            sample(7, "", "7"),
        ])
        #expect(renderText([family]) == """
            # HELP g A gauge.
            # TYPE g gauge
            g{good="1"} 1

            """)
        #expect(problems([family]).map(\.reason) == [
            .invalidLabelName("bad-name"),
            .reservedLabelName("__reserved"),
            .duplicateLabelName("dup"),
            .invalidLabelName("9start"),
            .invalidLabelName("has:colon"),
            .invalidLabelName(""),
        ])
        #expect(problems([family])[2].description
            == #"dropped series g{dup="a",dup="b"}: label name "dup" appears more than once"#)
    }

    @Test func problemDescriptionsCannotForgeLogLines() {
        let family = gauge("g", [sample(1, "bad-name", "x\"\ny")])
        #expect(problems([family]).map(\.description)
            == [#"dropped series g{bad-name="x\"\ny"}: label name "bad-name" must match [a-zA-Z_][a-zA-Z0-9_]*"#])
    }

    @Test func negativeOrNaNCounterIsDropped() {
        let family = counter("errors_total", [sample(-1, "k", "a"), sample(.nan, "k", "b"), sample(2, "k", "c")])
        #expect(renderText([family]) == """
            # HELP errors_total A counter.
            # TYPE errors_total counter
            errors_total{k="c"} 2

            """)
        #expect(problems([family]).map(\.reason) == [.invalidCounterValue, .invalidCounterValue])
    }

    @Test func familyWithOnlyInvalidSamplesIsOmitted() {
        #expect(renderText([gauge("g", [sample(1, "__x", "y")])]).isEmpty)
    }

    @Test func sameNameSameTypeMerges() {
        let families = [
            gauge("quota_limit", help: "Limit.", [sample(10, "account", "b")]),
            gauge("other", [sample(1)]),
            gauge("quota_limit", help: "Limit.", [sample(20, "account", "a")]),
        ]
        #expect(renderText(families) == """
            # HELP other A gauge.
            # TYPE other gauge
            other 1
            # HELP quota_limit Limit.
            # TYPE quota_limit gauge
            quota_limit{account="a"} 20
            quota_limit{account="b"} 10

            """)
        #expect(problems(families).isEmpty)
    }

    @Test func mergeAcrossFamiliesStillDropsDuplicates() {
        let families = [
            gauge("quota_limit", help: "Limit.", [sample(10, "account", "a")]),
            gauge("quota_limit", help: "Limit.", [sample(20, "account", "a")]),
        ]
        #expect(renderText(families).contains(#"quota_limit{account="a"} 10"#))
        #expect(problems(families).map(\.reason) == [.duplicateSeries])
    }

    @Test func sameNameDifferentHelpMergesUnderTheFirstHelp() {
        let families = [
            gauge("quota_limit", help: "First.", [sample(1, "a", "1")]),
            gauge("quota_limit", help: "Second.", [sample(2, "a", "2")]),
        ]
        #expect(renderText(families) == """
            # HELP quota_limit First.
            # TYPE quota_limit gauge
            quota_limit{a="1"} 1
            quota_limit{a="2"} 2

            """)
        #expect(problems(families) == [
            ExpositionProblem(metric: "quota_limit", reason: .conflictingHelp(earlier: "First."), droppedSamples: 0),
        ])
    }

    @Test func sameNameDifferentTypeKeepsTheFirst() {
        let families = [
            counter("things_total", [sample(1)]),
            gauge("things_total", [sample(2), sample(3, "a", "b")]),
        ]
        #expect(renderText(families) == """
            # HELP things_total A counter.
            # TYPE things_total counter
            things_total 1

            """)
        let found = problems(families)
        #expect(found == [
            ExpositionProblem(metric: "things_total", reason: .conflictingType(earlier: .counter), droppedSamples: 2),
        ])
        #expect(found[0].description
            == #"dropped family "things_total" (2 samples): an earlier family of that name is a counter"#)
    }

    @Test func emptyFamilyClaimsNoName() {
        let families = [counter("x_total", []), gauge("x_total", [sample(1)])]
        #expect(renderText(families).contains("# TYPE x_total gauge"))
        #expect(problems(families).isEmpty)
    }

    /// In OpenMetrics a counter `x` owns `x_total` and `x_created`, and
    /// parsers reject a gauge with either name beside it.
    @Test func openMetricsNameClashKeepsTheFirst() {
        let families = [
            counter("x_total", [sample(1)]),
            gauge("x_created", [sample(2)]),
            gauge("x_total", [sample(3)]),
        ]
        #expect(renderText(families, .openMetrics) == """
            # HELP x A counter.
            # TYPE x counter
            x_total 1
            # EOF

            """)
        #expect(problems(families, .openMetrics).map(\.reason) == [
            .nameClash(with: "x_total"),
            .nameClash(with: "x_total"),
        ])
        #expect(problems(families, .text).map(\.reason) == [.conflictingType(earlier: .counter)])
    }

    /// `x` and `x_total` are one counter family in OpenMetrics, two in text.
    @Test func openMetricsMergesCountersWithAndWithoutTotal() {
        let families = [
            counter("x", [sample(1, "a", "1")]),
            counter("x_total", [sample(2, "a", "2"), sample(3, "a", "1")]),
        ]
        #expect(renderText(families, .openMetrics) == """
            # HELP x A counter.
            # TYPE x counter
            x_total{a="1"} 1
            x_total{a="2"} 2
            # EOF

            """)
        #expect(problems(families, .openMetrics).map(\.reason) == [.duplicateSeries])
        #expect(problems(families, .text).isEmpty)
    }

    /// Whatever mix of label orders, empty values and repeats, the kept
    /// series are exactly the first sample of each identity, as a naive
    /// model computes it.
    @Test func duplicatesMatchANaiveModel() {
        var generator = SplitMix64(seed: 99)
        for round in 0..<50 {
            let uniform = round.isMultiple(of: 2)
            var samples: [Sample] = []
            for index in 0..<60 {
                var labels = [Label("a", ["x", "y", ""][Int(generator.next() % (uniform ? 2 : 3))]),
                              Label("b", ["1", "2"][Int(generator.next() % 2)])]
                if !uniform && generator.next() % 2 == 0 { labels.reverse() }
                samples.append(Sample(labels: labels, value: Double(index)))
            }
            let rendering = ExpositionWriter().render([gauge("g", samples)], format: .text)

            var firstByIdentity: [String: Double] = [:]
            for sample in samples {
                let identity = sample.labels.filter { !$0.value.isEmpty }
                    .sorted { $0.name < $1.name }.map { "\($0.name)=\($0.value)" }.joined(separator: ",")
                if firstByIdentity[identity] == nil { firstByIdentity[identity] = sample.value }
            }
            let keptValues = String(decoding: rendering.bytes, as: UTF8.self)
                .split(separator: "\n").filter { !$0.hasPrefix("#") }
                .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }
            #expect(keptValues.sorted() == firstByIdentity.values.sorted())
            #expect(rendering.problems.count == samples.count - firstByIdentity.count)
        }
    }
}
