/// The AlgorithmIdentifier that PKCS#8 and SubjectPublicKeyInfo wrap keys in
/// (RFC 5280 §4.1.1.2), checked to be rsaEncryption (RFC 8017 Appendix A.1).
enum RSAAlgorithmIdentifier {
    static let rsaEncryption = "1.2.840.113549.1.1.1"

    /// Names for OIDs people commonly feed us by mistake, so the error says
    /// "EC" rather than leaving an SRE to look the number up.
    private static let knownNames: [String: String] = [
        "1.2.840.10045.2.1": "EC",
        "1.3.101.112": "Ed25519",
        "1.3.101.113": "Ed448",
        "1.2.840.10040.4.1": "DSA",
        "1.2.840.113549.1.1.10": "RSASSA-PSS, which RS256 cannot use",
    ]

    /// Reads `SEQUENCE { algorithm OID, parameters ANY OPTIONAL }` and throws
    /// `notRSA` unless the algorithm is rsaEncryption with NULL or absent
    /// parameters.
    static func read(from reader: inout DERReader) throws {
        var sequence = try reader.readSequence()
        let oid = try sequence.readObjectIdentifier()
        guard oid == rsaEncryption else {
            let name = knownNames[oid].map { ", \($0)" } ?? ""
            throw KeyDecodingError.notRSA(algorithm: "OID \(oid)\(name)")
        }
        if !sequence.isAtEnd {
            try sequence.readNull()
        }
        try sequence.expectEnd("the RSA AlgorithmIdentifier")
    }
}
