#if canImport(Glibc)
import Glibc
#endif

/// Conversions between IP literals and `sockaddr` structures.
enum SocketAddress {
    /// Calls `body` with a `sockaddr_in`/`sockaddr_in6` for `host:port`.
    /// `host` must already be a valid literal of `family`.
    static func withSockaddr<Result, Failure: Error>(
        family: Int32,
        host: String,
        port: UInt16,
        _ body: (UnsafePointer<sockaddr>, socklen_t) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        if family == AF_INET6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = port.bigEndian
            _ = inet_pton(AF_INET6, host, &address.sin6_addr)
            return try withUnsafePointer(to: &address) { (pointer) throws(Failure) in
                try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { (raw) throws(Failure) in
                    try body(raw, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        _ = inet_pton(AF_INET, host, &address.sin_addr)
        return try withUnsafePointer(to: &address) { (pointer) throws(Failure) in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { (raw) throws(Failure) in
                try body(raw, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
    }

    /// The port a bound socket actually got (the answer to binding port 0).
    static func localPort(of fd: Int32) throws(SocketError) -> UInt16 {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = try withUnsafeMutablePointer(to: &storage) { (pointer) throws(SocketError) in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { (address) throws(SocketError) in
                try Syscall.call("getsockname") { getsockname(fd, address, &length) }
            }
        }
        return describe(storage).port
    }

    /// `ip:port`, or `[ip]:port` for IPv6, for logs. IPv4 clients reaching a
    /// dual-stack socket appear as `::ffff:a.b.c.d` and are shown as IPv4.
    static func describe(_ storage: sockaddr_storage) -> (host: String, port: UInt16, text: String) {
        var storage = storage
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        switch Int32(storage.ss_family) {
        case AF_INET:
            let (host, port) = withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
                    var ip = address.pointee.sin_addr
                    inet_ntop(AF_INET, &ip, &text, socklen_t(text.count))
                    return (string(fromNulTerminated: text), UInt16(bigEndian: address.pointee.sin_port))
                }
            }
            return (host, port, "\(host):\(port)")
        case AF_INET6:
            let (host, port) = withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                    var ip = address.pointee.sin6_addr
                    inet_ntop(AF_INET6, &ip, &text, socklen_t(text.count))
                    return (string(fromNulTerminated: text), UInt16(bigEndian: address.pointee.sin6_port))
                }
            }
            if host.hasPrefix("::ffff:"), host.contains(".") {
                let v4 = String(host.dropFirst("::ffff:".count))
                return (v4, port, "\(v4):\(port)")
            }
            return (host, port, "[\(host)]:\(port)")
        default:
            return ("", 0, "unknown")
        }
    }

    /// The text of a C buffer up to its first NUL.
    static func string(fromNulTerminated buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
