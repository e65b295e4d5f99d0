/// The numbers of a two-prime PKCS#1 `RSAPrivateKey` (RFC 8017 Appendix
/// A.1.2), as read from DER and before they are checked for consistency.
struct RSAKeyComponents: Sendable {
    var modulus: BigUInt
    var publicExponent: BigUInt
    var privateExponent: BigUInt
    var prime1: BigUInt
    var prime2: BigUInt
    var exponent1: BigUInt
    var exponent2: BigUInt
    var coefficient: BigUInt

    /// Parses `RSAPrivateKey ::= SEQUENCE { version, n, e, d, p, q, dP, dQ,
    /// qInv, otherPrimeInfos OPTIONAL }`.
    init(pkcs1DER der: [UInt8]) throws {
        var outer = DERReader(der)
        var sequence = try outer.readSequence()
        let versionOffset = sequence.offset
        switch try sequence.readSmallInteger() {
        case 0: break
        case 1: throw KeyDecodingError.invalidRSAKey("multi-prime RSA keys are not supported")
        case let version:
            throw KeyDecodingError.malformedDER("unknown RSAPrivateKey version \(version)", offset: versionOffset)
        }
        modulus = try sequence.readInteger()
        publicExponent = try sequence.readInteger()
        privateExponent = try sequence.readInteger()
        prime1 = try sequence.readInteger()
        prime2 = try sequence.readInteger()
        exponent1 = try sequence.readInteger()
        exponent2 = try sequence.readInteger()
        coefficient = try sequence.readInteger()
        try sequence.expectEnd("the RSA private key")
        try outer.expectEnd("the RSA private key")
    }
}
