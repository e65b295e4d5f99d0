/// An RSA private key that signs with RSASSA-PKCS1-v1_5 and SHA-256, the
/// RS256 algorithm ZITADEL's system API expects for its JWTs.
///
/// Signing uses the Chinese Remainder Theorem (RFC 8017 §5.1.2, second form):
/// two half-size exponentiations instead of one full-size one, about four
/// times faster. Printing or dumping a key shows only its size.
public struct RSAPrivateKey: Sendable {
    public let publicKey: RSAPublicKey
    /// d, used only to recompute a signature whose CRT result failed its check.
    private let privateExponent: BigUInt
    private let primeP: MontgomeryModulus
    private let primeQ: MontgomeryModulus
    /// dP = d mod (p − 1)
    private let exponentP: BigUInt
    /// dQ = d mod (q − 1)
    private let exponentQ: BigUInt
    /// qInv = q⁻¹ mod p
    private let coefficient: BigUInt

    /// Size of the modulus in bits, e.g. 2048.
    public var bitCount: Int { publicKey.bitCount }

    /// Checks that the numbers of a PKCS#1 key belong together, so that a
    /// corrupted or hand-edited key fails at startup with a clear message
    /// instead of producing signatures the server rejects.
    init(components c: RSAKeyComponents) throws {
        let one = BigUInt(1)
        publicKey = try RSAPublicKey(modulus: c.modulus, publicExponent: c.publicExponent)
        guard c.prime1.isOdd, c.prime1 > one, c.prime2.isOdd, c.prime2 > one else {
            throw KeyDecodingError.invalidRSAKey("the primes p and q must be odd and greater than 1")
        }
        guard c.prime1 * c.prime2 == c.modulus else {
            throw KeyDecodingError.invalidRSAKey("the modulus is not the product of the primes p and q")
        }
        let pMinusOne = c.prime1 - one, qMinusOne = c.prime2 - one
        let consistent = (c.publicExponent * c.exponent1) % pMinusOne == one
            && (c.publicExponent * c.exponent2) % qMinusOne == one
            && (c.prime2 * c.coefficient) % c.prime1 == one
            && c.privateExponent % pMinusOne == c.exponent1
            && c.privateExponent % qMinusOne == c.exponent2
        guard consistent else {
            throw KeyDecodingError.invalidRSAKey(
                "the private exponents or CRT coefficient do not match the primes; re-export the key")
        }
        privateExponent = c.privateExponent
        primeP = MontgomeryModulus(c.prime1)
        primeQ = MontgomeryModulus(c.prime2)
        exponentP = c.exponent1
        exponentQ = c.exponent2
        coefficient = c.coefficient
        // The checks above hold for a p or q that is not prime (a key with
        // three primes folded into two, a hand-made key): CRT then yields
        // wrong signatures for every message. One trial signature verified
        // with the public half catches that here, as a configuration error,
        // instead of at the first token.
        let probe = BigUInt(bigEndianBytes: EMSAPKCS1v15.encodeSHA256(
            Array("quota_exporter key self-check".utf8), length: publicKey.byteCount))
        guard publicKey.applyPublicExponent(signWithCRT(probe)) == probe else {
            throw KeyDecodingError.invalidRSAKey(
                "a trial signature does not verify with the key's own public half (p or q is not prime, "
                    + "or the numbers were altered); re-export the key or create a new one")
        }
    }

    /// RSASSA-PKCS1-v1_5 signature over SHA-256(`message`) (RFC 8017 §8.2.1),
    /// exactly as long as the modulus, left-padded with zeros.
    ///
    /// A fault during the CRT computation (a flipped bit in memory) would
    /// produce a signature from which the primes can be computed (Boneh,
    /// DeMillo, Lipton 1997), so each result is checked with the cheap public
    /// operation and, if wrong, recomputed without CRT. If that is wrong
    /// too the signature is refused with an error rather than a trap: one
    /// bad key must not end the process that serves every other target.
    public func signSHA256(_ message: [UInt8]) throws(RSASigningError) -> [UInt8] {
        let length = publicKey.byteCount
        let representative = BigUInt(bigEndianBytes: EMSAPKCS1v15.encodeSHA256(message, length: length))
        var signature = signWithCRT(representative)
        if publicKey.applyPublicExponent(signature) != representative {
            signature = publicKey.modulus.power(representative, privateExponent)
            guard publicKey.applyPublicExponent(signature) == representative else {
                throw RSASigningError(bitCount: bitCount)
            }
        }
        guard let bytes = signature.bigEndianBytes(count: length) else {
            throw RSASigningError(bitCount: bitCount)
        }
        return bytes
    }

    /// RSASP1 with CRT: s = m2 + q·(qInv·(m1 − m2) mod p), where
    /// m1 = m^dP mod p and m2 = m^dQ mod q.
    private func signWithCRT(_ representative: BigUInt) -> BigUInt {
        let p = primeP.modulus, q = primeQ.modulus
        let m1 = primeP.power(representative, exponentP)
        let m2 = primeQ.power(representative, exponentQ)
        // m1 − m2 may be negative; adding p first keeps it in range.
        let m2ModP = m2 % p
        let difference = m1 >= m2ModP ? m1 - m2ModP : m1 + p - m2ModP
        let h = (coefficient * difference) % p
        return m2 + q * h
    }
}

extension RSAPrivateKey: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "RSAPrivateKey(\(bitCount) bits)" }
    public var debugDescription: String { description }
    /// Keeps `dump(key)` and debugger views from printing the private numbers.
    public var customMirror: Mirror { Mirror(self, children: ["bitCount": bitCount]) }
}
