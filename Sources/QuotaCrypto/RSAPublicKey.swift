/// An RSA public key, used to verify RS256 signatures (the fake servers in
/// tests verify the exporter's JWTs with it).
public struct RSAPublicKey: Sendable, Equatable {
    /// RFC 7518 §3.3: "A key of size 2048 bits or larger MUST be used".
    public static let minimumBitCount = 2048

    let modulus: MontgomeryModulus
    let publicExponent: BigUInt

    /// Size of the modulus in bits, e.g. 2048.
    public var bitCount: Int { modulus.modulus.bitWidth }

    /// Size of the modulus, and so of every signature, in bytes.
    var byteCount: Int { (bitCount + 7) / 8 }

    /// Validates the numbers: an even or tiny modulus, or an exponent that
    /// cannot be right, means the key was damaged or is not an RSA key.
    init(modulus: BigUInt, publicExponent: BigUInt) throws {
        guard modulus.bitWidth >= Self.minimumBitCount else {
            throw KeyDecodingError.invalidRSAKey(
                "the key has \(modulus.bitWidth) bits; RS256 requires at least \(Self.minimumBitCount) (RFC 7518 §3.3)")
        }
        guard modulus.isOdd else {
            throw KeyDecodingError.invalidRSAKey("the modulus is even")
        }
        guard publicExponent.isOdd, publicExponent > BigUInt(1), publicExponent < modulus else {
            throw KeyDecodingError.invalidRSAKey("the public exponent is not an odd number between 3 and the modulus")
        }
        self.modulus = MontgomeryModulus(modulus)
        self.publicExponent = publicExponent
    }

    /// Loads `-----BEGIN PUBLIC KEY-----` (SubjectPublicKeyInfo, what
    /// `openssl pkey -pubout` writes) or `-----BEGIN RSA PUBLIC KEY-----`
    /// (PKCS#1). Other blocks in the text, such as certificates, are skipped.
    public init(pem: String) throws {
        let blocks = try PEMBlock.parseAll(pem)
        guard !blocks.isEmpty else { throw KeyDecodingError.noPEMBlock }
        for block in blocks {
            switch block.label {
            case "PUBLIC KEY":
                try self.init(subjectPublicKeyInfoDER: block.der)
                return
            case "RSA PUBLIC KEY":
                try self.init(pkcs1DER: block.der)
                return
            default:
                continue
            }
        }
        throw KeyDecodingError.unexpectedPEMLabel(
            found: blocks.map(\.label), expected: ["PUBLIC KEY", "RSA PUBLIC KEY"])
    }

    /// `RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }`
    /// (RFC 8017 Appendix A.1.1).
    init(pkcs1DER der: [UInt8]) throws {
        var outer = DERReader(der)
        var sequence = try outer.readSequence()
        let modulus = try sequence.readInteger()
        let publicExponent = try sequence.readInteger()
        try sequence.expectEnd("the RSA public key")
        try outer.expectEnd("the RSA public key")
        try self.init(modulus: modulus, publicExponent: publicExponent)
    }

    /// `SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier,
    /// subjectPublicKey BIT STRING }` (RFC 5280 §4.1.2.7), the BIT STRING
    /// holding the PKCS#1 encoding.
    init(subjectPublicKeyInfoDER der: [UInt8]) throws {
        var outer = DERReader(der)
        var sequence = try outer.readSequence()
        try RSAAlgorithmIdentifier.read(from: &sequence)
        let pkcs1 = try sequence.readBitString()
        try sequence.expectEnd("the SubjectPublicKeyInfo")
        try outer.expectEnd("the SubjectPublicKeyInfo")
        try self.init(pkcs1DER: pkcs1)
    }

    /// RSASSA-PKCS1-v1_5 verification with SHA-256 (RFC 8017 §8.2.2).
    ///
    /// Rather than parsing the decrypted block, it re-encodes the expected
    /// block and compares the two in constant time, the approach RFC 8017
    /// recommends: parsers of this padding have a long history of forgery bugs.
    public func verifySHA256(signature: [UInt8], message: [UInt8]) -> Bool {
        guard signature.count == byteCount else { return false }
        let representative = BigUInt(bigEndianBytes: signature)
        guard representative < modulus.modulus,
              let decoded = applyPublicExponent(representative).bigEndianBytes(count: byteCount)
        else { return false }
        return constantTimeEquals(decoded, EMSAPKCS1v15.encodeSHA256(message, length: byteCount))
    }

    /// RSAVP1: `value^e mod n`.
    func applyPublicExponent(_ value: BigUInt) -> BigUInt {
        modulus.power(value, publicExponent)
    }

    public static func == (lhs: RSAPublicKey, rhs: RSAPublicKey) -> Bool {
        lhs.modulus.modulus == rhs.modulus.modulus && lhs.publicExponent == rhs.publicExponent
    }
}
