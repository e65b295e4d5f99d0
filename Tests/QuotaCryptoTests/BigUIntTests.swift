@testable import QuotaCrypto
import Testing

@Suite("BigUInt and Montgomery arithmetic")
struct BigUIntTests {
    @Test func bytesRoundTripWithPadding() {
        let value = BigUInt(bigEndianBytes: [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09])
        #expect(value.limbs == [0x0203_0405_0607_0809, 0x01])
        #expect(value.bitWidth == 65)
        #expect(value.bigEndianBytes(count: 12) == [0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
        #expect(value.bigEndianBytes(count: 8) == nil)
        #expect(BigUInt(bigEndianBytes: [0, 0]).isZero)
        #expect(BigUInt().bigEndianBytes(count: 2) == [0, 0])
    }

    @Test func comparison() {
        let small = BigUInt(bigEndianBytes: [0xff, 0xff])
        let large = BigUInt(bigEndianBytes: [0x01, 0, 0, 0, 0, 0, 0, 0, 0])
        #expect(small < large)
        #expect(!(large < small))
        #expect(!(small < small))
        #expect(BigUInt(limbs: [5, 0, 0]) == BigUInt(5))
    }

    @Test func smallArithmetic() {
        let max = BigUInt(UInt64.max)
        #expect((max + BigUInt(1)).limbs == [0, 1])
        #expect((max * max).limbs == [1, UInt64.max - 1])
        #expect(((max * max) - max).limbs == [2, UInt64.max - 2])
        #expect((max * max) % BigUInt(1_000_003) == BigUInt(UInt64((UInt128(UInt64.max) * UInt128(UInt64.max)) % 1_000_003)))
        #expect(MontgomeryModulus(BigUInt(1_000_003)).power(BigUInt(2), BigUInt(1_000_002)) == BigUInt(1)) // Fermat
        #expect(MontgomeryModulus(BigUInt(97)).power(BigUInt(5), BigUInt()) == BigUInt(1))
    }

    /// Random operands of up to ~2100 bits checked against Python's integers.
    @Test("random operations agree with Python")
    func randomOperationsMatchPython() async throws {
        let script = """
            import sys
            for line in sys.stdin.read().splitlines():
                a, b, m, e = (int(part, 16) for part in line.split(" "))
                print(" ".join(format(x, "x") for x in (a + b, a * b, a % m, pow(a, e, m))))
            """
        var cases: [(a: BigUInt, b: BigUInt, m: BigUInt, e: BigUInt)] = []
        for index in 0..<40 {
            let a = randomNumber(bytes: Int.random(in: 0...260))
            let b = randomNumber(bytes: Int.random(in: 0...260))
            // Moduli of 1, 2, … limbs and odd, as Montgomery requires.
            var mBytes = randomBytes(count: 8 * (index % 33 + 1))
            mBytes[0] |= 0x80
            mBytes[mBytes.count - 1] |= 1
            let e = randomNumber(bytes: index % 4 == 0 ? 3 : Int.random(in: 0...130))
            cases.append((a, b, BigUInt(bigEndianBytes: mBytes), e))
        }
        let input = cases.map { [$0.a, $0.b, $0.m, $0.e].map(hexString).joined(separator: " ") }
            .joined(separator: "\n")
        let output = try await Subprocess.run(["python3", "-c", script], stdin: Array(input.utf8))
        try #require(output.status == 0, "python3 failed: \(output.stderr)")
        let lines = String(decoding: output.stdout, as: UTF8.self).split(separator: "\n")
        try #require(lines.count == cases.count)

        for (c, line) in zip(cases, lines) {
            let expected = line.split(separator: " ").map(String.init)
            #expect(hexString(c.a + c.b) == expected[0])
            #expect(hexString(c.a * c.b) == expected[1])
            #expect(hexString(c.a % c.m) == expected[2])
            #expect(hexString(MontgomeryModulus(c.m).power(c.a, c.e)) == expected[3],
                    "pow with \(c.m.bitWidth)-bit modulus, \(c.e.bitWidth)-bit exponent")
        }
    }

    private func randomBytes(count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255) }
    }

    private func randomNumber(bytes count: Int) -> BigUInt {
        BigUInt(bigEndianBytes: randomBytes(count: count))
    }

    /// Hex without leading zeros, as Python's format(x, "x") writes it.
    private func hexString(_ value: BigUInt) -> String {
        let digits = hex(value.bigEndianBytes(count: value.limbs.count * 8) ?? [])
        let trimmed = digits.drop { $0 == "0" }
        return trimmed.isEmpty ? "0" : String(trimmed)
    }
}
