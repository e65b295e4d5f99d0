/// The EMSA-PKCS1-v1_5 encoding with SHA-256 (RFC 8017 §9.2), the message
/// representative that RS256 signs.
enum EMSAPKCS1v15 {
    /// DER of `DigestInfo { AlgorithmIdentifier { id-sha256, NULL }, OCTET
    /// STRING (32 bytes) }` up to the digest itself (RFC 8017 §9.2 note 1).
    static let sha256DigestInfoPrefix: [UInt8] = [
        0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
        0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
    ]

    /// `0x00 0x01 FF…FF 0x00 DigestInfo` of exactly `length` bytes.
    ///
    /// `length` is the modulus size in bytes; keys are at least 2048 bits, so
    /// there is always room for the required eight or more 0xFF bytes.
    static func encodeSHA256(_ message: [UInt8], length: Int) -> [UInt8] {
        let digestInfo = sha256DigestInfoPrefix + SHA256.hash(message)
        let paddingCount = length - digestInfo.count - 3
        precondition(paddingCount >= 8, "RSA modulus too small for EMSA-PKCS1-v1_5 with SHA-256")
        return [0x00, 0x01] + [UInt8](repeating: 0xff, count: paddingCount) + [0x00] + digestInfo
    }
}
