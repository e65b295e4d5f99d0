import Foundation
@testable import QuotaCrypto
import Testing

/// Keys whose numbers pass every arithmetic relation between them but do
/// not make a working RSA key must be refused when loaded, never trap when
/// signing.
/// Serialized: every test here waits for the one set of openssl keys,
/// and all of them resuming at once (RSA in a debug build) held both
/// cooperative threads for seconds, starving the timed server suites.
@Suite("RSA keys with inconsistent numbers", .serialized)
struct RSAKeyConsistencyTests {
    /// A two-prime PKCS#1 key whose p is the product of two primes: n = p·q,
    /// dP = d mod (p − 1), e·dP ≡ 1 (mod p − 1), qInv·q ≡ 1 (mod p) all hold,
    /// but CRT signatures are wrong. openssl makes the primes, Python the DER.
    static func compositePrimeKeyPEM() async throws -> String {
        let script = #"""
        import subprocess, base64, math
        def prime(bits):
            return int(subprocess.check_output(["openssl", "prime", "-generate", "-bits", str(bits)]).strip())
        def der_len(n):
            if n < 128: return bytes([n])
            b = n.to_bytes((n.bit_length() + 7) // 8, "big")
            return bytes([0x80 | len(b)]) + b
        def der_int(x):
            b = x.to_bytes((x.bit_length() + 8) // 8, "big")
            return b"\x02" + der_len(len(b)) + b
        e = 65537
        while True:
            r1, r2, q = prime(700), prime(700), prime(700)
            p = r1 * r2
            if math.gcd(e, p - 1) == 1 and math.gcd(e, q - 1) == 1:
                break
        n = p * q
        d = pow(e, -1, math.lcm(p - 1, q - 1))
        body = b"".join(der_int(x) for x in [0, n, e, d, p, q, d % (p - 1), d % (q - 1), pow(q, -1, p)])
        text = base64.b64encode(b"\x30" + der_len(len(body)) + body).decode()
        print("-----BEGIN RSA PRIVATE KEY-----")
        for i in range(0, len(text), 64): print(text[i:i + 64])
        print("-----END RSA PRIVATE KEY-----")
        """#
        let output = try await Subprocess.run(["python3", "-c", script])
        guard output.status == 0 else {
            throw OpenSSLKeys.Unavailable(description: "python3 could not build the test key: \(output.stderr)")
        }
        return String(decoding: output.stdout, as: UTF8.self)
    }

    @Test("a composite p passes the arithmetic checks but fails the trial signature at load")
    func compositePrimeIsRefusedAtLoad() async throws {
        let pem = try await Self.compositePrimeKeyPEM()
        let components = try RSAKeyComponents(pkcs1DER: #require(PEMBlock.parseAll(pem).first).der)
        // The relations the old checks looked at really do hold for this key.
        let one = BigUInt(1)
        #expect(components.prime1 * components.prime2 == components.modulus)
        #expect((components.publicExponent * components.exponent1) % (components.prime1 - one) == one)
        #expect((components.prime2 * components.coefficient) % components.prime1 == one)

        let error = #expect(throws: KeyDecodingError.self) { try RSAPrivateKey(pem: pem) }
        #expect(error?.description.contains("trial signature") == true, "\(String(describing: error))")
    }

    @Test("tampered fields of an openssl key are refused at load")
    func tamperedOpenSSLKeys() async throws {
        let pem = try await OpenSSLKeys.text(of: RSAOpenSSLTests.files(bits: 2048).pkcs1)
        let good = try RSAKeyComponents(pkcs1DER: #require(PEMBlock.parseAll(pem).first).der)
        var swappedExponents = good
        swappedExponents.exponent1 = good.exponent2
        swappedExponents.exponent2 = good.exponent1
        var changedQ = good
        changedQ.prime2 = good.prime2 + BigUInt(2)
        var compositeP = good
        // The whole modulus as p, so n = p·q still holds with q = 1.
        compositeP.prime1 = good.prime1 * good.prime2
        compositeP.prime2 = BigUInt(1)
        var swappedPrimes = good
        swappedPrimes.prime1 = good.prime2
        swappedPrimes.prime2 = good.prime1
        for (name, components) in [("swapped dP/dQ", swappedExponents), ("q + 2", changedQ),
                                   ("p = n, q = 1", compositeP), ("p and q swapped", swappedPrimes)] {
            let error = #expect(throws: KeyDecodingError.self, "\(name)") { try RSAPrivateKey(components: components) }
            guard case .invalidRSAKey? = error else {
                Issue.record("\(name): expected invalidRSAKey, got \(String(describing: error))")
                continue
            }
        }
    }

    @Test("a consistent key still signs what openssl verifies")
    func consistentKeyStillSigns() async throws {
        let files = try await RSAOpenSSLTests.files(bits: 2048)
        let key = try RSAPrivateKey(pem: OpenSSLKeys.text(of: files.pkcs1))
        let message = Array("after the load-time self-check".utf8)
        #expect(try await OpenSSLKeys.verify(key.signSHA256(message), message: message, publicKey: files.spkiPublic))
    }
}
