import Testing
import QuotaExposition

@Suite("Sample values")
struct SampleValueTextTests {
    @Test(arguments: [
        (42.0, "42"), (-3.0, "-3"), (0.0, "0"), (-0.0, "-0"),
        (0.1, "0.1"), (1.5e-7, "1.5e-07"), (1e20, "1e+20"), (1e21, "1e+21"),
        (999_999_999_999_999.0, "999999999999999"), (9_007_199_254_740_993.0, "9007199254740992"),
        (18_014_398_509_481_984.0, "1.8014398509481984e+16"), (Double.leastNonzeroMagnitude, "5e-324"),
        (Double.greatestFiniteMagnitude, "1.7976931348623157e+308"), (-2.5, "-2.5"),
        (Double.infinity, "+Inf"), (-Double.infinity, "-Inf"), (Double.nan, "NaN"),
    ])
    func knownValues(value: Double, expected: String) {
        #expect(valueText(value) == expected)
    }

    /// Every finite value must read back as the very same Double; the
    /// parser here is Swift's, which accepts the same decimal syntax as Go's.
    @Test func finiteValuesRoundTrip() {
        var generator = SplitMix64(seed: 0x5EED)
        var values: [Double] = [1e15 - 1, 1e15, 1e15 + 1, -1e15, .ulpOfOne, .leastNormalMagnitude, 1 / 3]
        for _ in 0..<5_000 {
            values.append(Double(bitPattern: generator.next()))
            values.append(Double(Int64(bitPattern: generator.next()) >> Int(generator.next() % 60)))
        }
        let finite = values.filter(\.isFinite)
        // One sample per value, labelled with its position, in one render.
        let family = gauge("v", finite.enumerated().map { sample($1, "i", String($0)) })
        let lines = sampleLines(renderText([family]))
        #expect(lines.count == finite.count)
        for line in lines {
            let fields = line.split(separator: " ")
            let index = Int(fields[0].dropFirst(#"v{i=""#.count).dropLast(2))!
            let text = String(fields[1])
            #expect(Double(text)?.bitPattern == finite[index].bitPattern, "\(finite[index]) was written as \(text)")
            #expect(!text.contains("inf") && !text.contains("nan"))
        }
    }
}

/// A tiny seeded generator so the round-trip test checks the same values on
/// every run and a failure can be reproduced.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
