#if canImport(Glibc)
import Glibc
#endif
import QuotaCrypto

/// Receiver secrets: 32 bytes from the kernel's CSPRNG, base64url, so they
/// fit in a URL path segment as they are.
enum RandomSecret {
    struct Unavailable: Error, CustomStringConvertible {
        let description: String
    }

    static func generate(byteCount: Int = 32) throws(Unavailable) -> String {
        var bytes = [UInt8](repeating: 0, count: byteCount)
        let descriptor = open("/dev/urandom", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Unavailable(description: "cannot open /dev/urandom: errno \(errno)") }
        defer { close(descriptor) }
        var filled = 0
        while filled < byteCount {
            let count = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + filled, byteCount - filled) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw Unavailable(description: "cannot read /dev/urandom: errno \(errno)") }
            filled += count
        }
        return Base64URL.encode(bytes)
    }
}
