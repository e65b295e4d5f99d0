import QuotaCrypto
import Testing

/// Compares SHA-256 and HMAC-SHA256 with Python's hashlib and hmac, an
/// independent implementation, over many random inputs.
@Suite("cross-check with Python hashlib/hmac")
struct PythonCrossCheckTests {
    /// Reads "key_hex message_hex" lines and prints "sha256_hex hmac_hex".
    static let script = """
        import hashlib, hmac, sys
        for line in sys.stdin.read().splitlines():
            key, message = (bytes.fromhex(part) for part in line.split(" "))
            print(hashlib.sha256(message).hexdigest(), hmac.new(key, message, hashlib.sha256).hexdigest())
        """

    /// Lengths where SHA-256 padding changes shape (55/56 bytes: the length
    /// still fits / no longer fits in the block) and block boundaries.
    static let edgeLengths = [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129]

    @Test("200 random messages and keys agree with Python")
    func randomInputsMatchPython() async throws {
        var generator = SystemRandomNumberGenerator()
        var cases: [(key: [UInt8], message: [UInt8])] = []
        for index in 0..<200 {
            let messageLength = index < Self.edgeLengths.count ? Self.edgeLengths[index] : Int.random(in: 0...300)
            let keyLength = index % 5 == 0 ? [0, 32, 63, 64, 65, 200][index / 5 % 6] : Int.random(in: 0...200)
            let message = (0..<messageLength).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let key = (0..<keyLength).map { _ in UInt8.random(in: 0...255, using: &generator) }
            cases.append((key, message))
        }
        let input = cases.map { "\(hex($0.key)) \(hex($0.message))" }.joined(separator: "\n")

        let output = try await Subprocess.run(["python3", "-c", Self.script], stdin: Array(input.utf8))
        try #require(output.status == 0, "python3 failed (\(output.status)): \(output.stderr)")
        let lines = String(decoding: output.stdout, as: UTF8.self).split(separator: "\n")
        try #require(lines.count == cases.count)

        for (testCase, line) in zip(cases, lines) {
            let expected = line.split(separator: " ").map(String.init)
            let description = "key \(testCase.key.count) bytes, message \(testCase.message.count) bytes"
            #expect(hex(SHA256.hash(testCase.message)) == expected[0], "SHA-256, \(description)")
            #expect(hex(HMACSHA256.authenticationCode(key: testCase.key, message: testCase.message)) == expected[1],
                    "HMAC, \(description)")
        }
    }
}
