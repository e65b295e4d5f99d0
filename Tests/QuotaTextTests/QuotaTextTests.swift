import Foundation
import Testing
import QuotaText

/// The Foundation replacements, checked against Foundation where it has the
/// same operation.
struct QuotaTextTests {
    @Test func fixedPointMatchesPrintf() {
        for value in [0, 0.5, 1.25, 12.345, 99.95, 100, 0.0004, 0.0005, 123456.789, -1.5, -0.0001, 1e15] {
            for decimals in [0, 1, 2, 3] {
                let expected = String(format: "%.\(decimals)f", value)
                let mine = FixedPoint.format(value, decimals: decimals)
                // printf rounds the exact binary value half-to-even; only a
                // last-digit difference on exact ties is acceptable.
                #expect(mine == expected || abs(Double(mine)! - Double(expected)!) <= pow(10, -Double(decimals)) + 1e-12, "\(value) \(decimals)")
            }
        }
        #expect(FixedPoint.format(12.345, decimals: 1) == "12.3")
        #expect(FixedPoint.format(-0.0001, decimals: 2) == "0.00")
        #expect(FixedPoint.format(.nan, decimals: 1) == "nan")
    }

    @Test func trimming() {
        #expect(" \t a b \r\n".trimmingWhitespace() == "a b")
        #expect(" \n ".trimmingWhitespace() == "")
        #expect("x".trimmingWhitespace() == "x")
    }

    /// Regression: a Character-wise replacement misses a secret followed by
    /// a combining mark (the pair is one Character) and leaks it.
    @Test func replacingMatchesBytesNotCharacters() {
        let text = "token=abc\u{301} and abc\r\n"
        #expect(text.replacingBytes(of: "abc", with: "<r>") == "token=<r>\u{301} and <r>\r\n")
        #expect("x\r\ny".replacingBytes(of: "x\r", with: "-") == "-\ny")
        #expect("aaa".replacingBytes(of: "aa", with: "b") == "ba")
        #expect("abc".replacingBytes(of: "", with: "z") == "abc")
    }
}
