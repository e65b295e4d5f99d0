/// Why a PEM key could not be loaded.
///
/// Every message says what is wrong and, where there is one, how to fix it.
/// None ever includes key bytes: these errors end up in logs.
public enum KeyDecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The text holds no `-----BEGIN …-----` line at all.
    case noPEMBlock
    /// PEM blocks were found, but none with a label this key type accepts.
    case unexpectedPEMLabel(found: [String], expected: [String])
    /// A PEM block is broken: missing END line, bad base64, …
    case malformedPEM(String)
    /// The key is protected by a passphrase, which we deliberately do not handle.
    case encryptedKey
    /// The key is well formed but for another algorithm, e.g. EC or Ed25519.
    case notRSA(algorithm: String)
    /// The DER structure inside the PEM block is invalid at `offset`.
    case malformedDER(String, offset: Int)
    /// The DER is well formed but the RSA numbers are unusable.
    case invalidRSAKey(String)

    public var description: String {
        switch self {
        case .noPEMBlock:
            "no PEM block found (expected a line like -----BEGIN PRIVATE KEY-----)"
        case let .unexpectedPEMLabel(found, expected):
            "unexpected PEM label \(found.map { "\"\($0)\"" }.joined(separator: ", ")); "
                + "expected one of \(expected.map { "\"\($0)\"" }.joined(separator: ", "))"
        case let .malformedPEM(reason):
            "malformed PEM: \(reason)"
        case .encryptedKey:
            "encrypted keys are not supported; decrypt with "
                + "openssl pkey -in encrypted.pem -out decrypted.pem (it asks for the passphrase)"
        case let .notRSA(algorithm):
            "key is not RSA (\(algorithm)); an RSA key is needed for RS256"
        case let .malformedDER(reason, offset):
            "malformed DER at byte \(offset): \(reason)"
        case let .invalidRSAKey(reason):
            "invalid RSA key: \(reason)"
        }
    }
}
