/// HMAC (RFC 2104) instantiated with SHA-256, as Huawei Cloud's
/// SDK-HMAC-SHA256 request signing requires.
public enum HMACSHA256 {
    /// The 32-byte message authentication code of `message` under `key`.
    ///
    /// Keys longer than SHA-256's 64-byte block are hashed first and shorter
    /// ones are zero-padded, exactly as RFC 2104 §2 prescribes, so any key
    /// length is accepted.
    public static func authenticationCode(key: some Sequence<UInt8>, message: some Sequence<UInt8>) -> [UInt8] {
        var blockKey = Array(key)
        if blockKey.count > SHA256.blockByteCount {
            blockKey = SHA256.hash(blockKey)
        }
        blockKey.append(contentsOf: repeatElement(0, count: SHA256.blockByteCount - blockKey.count))

        var inner = SHA256()
        inner.update(blockKey.map { $0 ^ 0x36 })
        inner.update(message)
        let innerDigest = inner.finalize()

        var outer = SHA256()
        outer.update(blockKey.map { $0 ^ 0x5c })
        outer.update(innerDigest)
        return outer.finalize()
    }
}
