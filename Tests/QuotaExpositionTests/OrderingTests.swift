import Testing
import QuotaExposition

@Suite("Deterministic order")
struct OrderingTests {
    @Test func familiesByNameSamplesByLabelValuesThenNames() {
        let families = [
            gauge("zeta", help: "z", [sample(1)]),
            gauge("alpha", help: "a", [
                sample(4, "region", "us", "quota", "cpu"),
                sample(3, "region", "eu", "quota", "ram"),
                sample(2, "region", "eu", "quota", "cpu"),
                sample(6, "region", "eu"),
                sample(5, "zone", "eu"),
                sample(7),
            ]),
        ]
        #expect(renderText(families) == """
            # HELP alpha a
            # TYPE alpha gauge
            alpha 7
            alpha{region="eu"} 6
            alpha{zone="eu"} 5
            alpha{region="eu",quota="cpu"} 2
            alpha{region="eu",quota="ram"} 3
            alpha{region="us",quota="cpu"} 4
            # HELP zeta z
            # TYPE zeta gauge
            zeta 1

            """)
    }

    @Test func orderIsByUTF8BytesNotLocale() {
        let family = gauge("g", help: "g", [
            sample(1, "v", "b"), sample(2, "v", "B"), sample(3, "v", "é"), sample(4, "v", "a"), sample(5, "v", "Z"),
        ])
        #expect(renderText([family]) == """
            # HELP g g
            # TYPE g gauge
            g{v="B"} 2
            g{v="Z"} 5
            g{v="a"} 4
            g{v="b"} 1
            g{v="é"} 3

            """)
    }

    /// A label value that is a prefix of another sorts first, and a NUL in
    /// a value (legal, if odd) neither breaks the order nor merges series.
    @Test func prefixesAndNulBytes() {
        let family = gauge("g", help: "g", [
            sample(1, "v", "ab"), sample(2, "v", "a\u{0}"), sample(3, "v", "a"), sample(4, "v", "a\u{1}"),
            sample(5, "v", "a", "w", "b"), sample(6, "v", "a\u{0}", "b", ""),
        ])
        #expect(renderText([family]) == "# HELP g g\n# TYPE g gauge\n"
            + "g{v=\"a\"} 3\ng{v=\"a\",w=\"b\"} 5\ng{v=\"a\u{0}\"} 2\ng{v=\"a\u{1}\"} 4\ng{v=\"ab\"} 1\n")
        #expect(problems([family]).map(\.reason) == [.duplicateSeries])
    }

    @Test func shuffledInputGivesIdenticalBytes() {
        let families = (0..<8).map { index in
            gauge("family_\(index % 5)", help: "same help", (0..<40).map { row in
                sample(Double(row * 10 + index), "account", "acct-\(row % 7)", "quota", "q\(row)-\(index)")
            })
        }
        let expected = ExpositionWriter().render(families, format: .text).bytes
        var generator = SplitMix64(seed: 42)
        for _ in 0..<20 {
            let shuffled = families.shuffled(using: &generator).map { family in
                var copy = family
                copy.samples.shuffle(using: &generator)
                return copy
            }
            #expect(ExpositionWriter().render(shuffled, format: .text).bytes == expected)
        }
    }

    /// The fast byte-key sort must agree with the plain rule it implements,
    /// and of equal samples keep the first. Each sample's value is its
    /// input position, so the output says which samples survived, in order.
    @Test func orderMatchesTheStatedRule() {
        var generator = SplitMix64(seed: 7)
        let values = ["a", "ab", "b", "a\u{0}", "Z", "é", "a\"b"]
        let names = ["x", "y", "z"]
        var samples: [Sample] = []
        for index in 0..<400 {
            let count = Int(generator.next() % 3)
            let labels = names.shuffled(using: &generator).prefix(count).map { name in
                Label(name, values[Int(generator.next() % UInt64(values.count))])
            }
            samples.append(Sample(labels: labels, value: Double(index)))
        }
        let rendering = ExpositionWriter().render([gauge("g", samples)], format: .text)
        let kept = sampleLines(String(decoding: rendering.bytes, as: UTF8.self))
            .map { samples[Int($0.split(separator: " ").last!)!] }

        #expect(kept.count + rendering.problems.count == samples.count)
        for (earlier, later) in zip(kept, kept.dropFirst()) {
            #expect(statedRulePrecedes(earlier, later), "\(earlier.labels) should come before \(later.labels)")
        }
        for problem in rendering.problems {
            let first = kept.first { Set($0.labels) == Set(problem.labels) }
            #expect(problem.reason == .duplicateSeries)
            #expect(first != nil, "a duplicate of \(problem.labels) was kept")
        }
        for (position, sample) in samples.enumerated() {
            let isKept = kept.contains { $0.value == sample.value }
            let hasEarlierTwin = samples[..<position].contains { Set($0.labels) == Set(sample.labels) }
            #expect(isKept == !hasEarlierTwin, "sample \(position) \(sample.labels)")
        }
    }

    /// Label values in label order, then names, as UTF-8 bytes; a prefix first.
    private func statedRulePrecedes(_ lhs: Sample, _ rhs: Sample) -> Bool {
        let lhsValues = lhs.labels.map { Array($0.value.utf8) }
        let rhsValues = rhs.labels.map { Array($0.value.utf8) }
        if lhsValues != rhsValues {
            return lhsValues.lexicographicallyPrecedes(rhsValues) { $0.lexicographicallyPrecedes($1) }
        }
        let lhsNames = lhs.labels.map { Array($0.name.utf8) }
        let rhsNames = rhs.labels.map { Array($0.name.utf8) }
        return lhsNames.lexicographicallyPrecedes(rhsNames) { $0.lexicographicallyPrecedes($1) }
    }
}
