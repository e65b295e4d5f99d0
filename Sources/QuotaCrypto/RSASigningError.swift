/// A signature that failed its own verification twice (with CRT and
/// without): the key's numbers do not belong together, or memory is faulty.
/// Keys are checked when they are loaded, so this should never be seen; it
/// exists so that signing cannot end the process.
public struct RSASigningError: Error, Equatable, Sendable, CustomStringConvertible {
    public let bitCount: Int

    public var description: String {
        "an RSA signature with the \(bitCount)-bit key did not verify with its own public key; "
            + "the key is inconsistent (re-export it) or the machine is faulty"
    }
}
