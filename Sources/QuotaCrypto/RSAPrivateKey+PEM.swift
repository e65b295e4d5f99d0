/// Loading private keys from the PEM files `openssl` and ZITADEL produce.
extension RSAPrivateKey {
    /// Loads `-----BEGIN PRIVATE KEY-----` (PKCS#8, what `openssl genpkey`
    /// writes) or `-----BEGIN RSA PRIVATE KEY-----` (PKCS#1, "traditional").
    ///
    /// Encrypted and non-RSA keys are rejected with an error that says so;
    /// other blocks in the text, such as certificates, are skipped.
    public init(pem: String) throws {
        let blocks = try PEMBlock.parseAll(pem)
        guard !blocks.isEmpty else { throw KeyDecodingError.noPEMBlock }
        for block in blocks {
            switch block.label {
            case "PRIVATE KEY":
                try self.init(pkcs8DER: block.der)
                return
            case "RSA PRIVATE KEY":
                // Legacy OpenSSL encryption marks the block with headers.
                if block.headers["Proc-Type"]?.contains("ENCRYPTED") == true {
                    throw KeyDecodingError.encryptedKey
                }
                try self.init(components: RSAKeyComponents(pkcs1DER: block.der))
                return
            case "ENCRYPTED PRIVATE KEY":
                throw KeyDecodingError.encryptedKey
            case "EC PRIVATE KEY", "DSA PRIVATE KEY", "OPENSSH PRIVATE KEY":
                throw KeyDecodingError.notRSA(algorithm: "PEM label \(block.label)")
            default:
                continue
            }
        }
        throw KeyDecodingError.unexpectedPEMLabel(
            found: blocks.map(\.label), expected: ["PRIVATE KEY", "RSA PRIVATE KEY"])
    }

    /// `PrivateKeyInfo ::= SEQUENCE { version, privateKeyAlgorithm,
    /// privateKey OCTET STRING, … }` (RFC 5208 §5, RFC 5958 §2), the OCTET
    /// STRING holding the PKCS#1 encoding. Trailing optional attributes and
    /// public key fields are ignored.
    init(pkcs8DER der: [UInt8]) throws {
        var outer = DERReader(der)
        var sequence = try outer.readSequence()
        let versionOffset = sequence.offset
        let version = try sequence.readSmallInteger()
        guard version == 0 || version == 1 else {
            throw KeyDecodingError.malformedDER("unknown PrivateKeyInfo version \(version)", offset: versionOffset)
        }
        try RSAAlgorithmIdentifier.read(from: &sequence)
        let pkcs1 = try sequence.readOctetString()
        try outer.expectEnd("the PKCS#8 private key")
        try self.init(components: RSAKeyComponents(pkcs1DER: pkcs1))
    }
}
