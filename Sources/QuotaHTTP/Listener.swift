#if canImport(Glibc)
import Glibc
#endif

/// A bound, listening, non-blocking socket and the address it really got.
struct Listener: Sendable {
    let fd: Int32
    let address: ListenAddress

    /// Binds and listens on `address`. `:PORT` becomes a dual-stack `[::]`
    /// socket so IPv4 clients work too, falling back to `0.0.0.0` on hosts
    /// without IPv6. An explicit `[::]` stays IPv6-only so it can be combined
    /// with `0.0.0.0` on the same port.
    static func open(_ address: ListenAddress) throws(SocketError) -> Listener {
        if address.isAllInterfaces {
            do {
                return try open(address, family: AF_INET6, literal: "::", ipv6Only: false)
            } catch let error where error.errno == EAFNOSUPPORT || error.errno == EADDRNOTAVAIL {
                return try open(address, family: AF_INET, literal: "0.0.0.0", ipv6Only: false)
            }
        }
        let family = address.isIPv6 ? AF_INET6 : AF_INET
        return try open(address, family: family, literal: address.host, ipv6Only: true)
    }

    func close() {
        _ = Glibc.close(fd)
    }

    /// Turns Nagle's algorithm off on an accepted client, as Go's net/http
    /// (so every client_golang exporter) and nginx's keep-alive do. Over
    /// TLS every record is a write of its own, and Nagle holds a short
    /// segment back while an earlier short one is unacknowledged, which a
    /// client delays by up to 40 ms: a large TLS response waited for that
    /// again and again (27 scrapes a second on one connection). A failure
    /// is ignored: the connection still works, only later.
    static func sendPromptly(on fd: Int32) {
        var on: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), Int32(TCP_NODELAY), &on, socklen_t(MemoryLayout<Int32>.size))
    }

    private static func open(
        _ address: ListenAddress,
        family: Int32,
        literal: String,
        ipv6Only: Bool
    ) throws(SocketError) -> Listener {
        let context = address.description
        let type = Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue)
        let fd = try Syscall.call("socket", context: context) { socket(family, type, 0) }
        do {
            try setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1, context: context)
            if family == AF_INET6 {
                try setOption(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, ipv6Only ? 1 : 0, context: context)
            }
            _ = try SocketAddress.withSockaddr(family: family, host: literal, port: address.port) { (pointer, length) throws(SocketError) in
                try Syscall.call("bind", context: context) { bind(fd, pointer, length) }
            }
            try Syscall.call("listen", context: context) { listen(fd, SOMAXCONN) }
            let port = try SocketAddress.localPort(of: fd)
            return Listener(fd: fd, address: address.withPort(port))
        } catch {
            _ = Glibc.close(fd)
            throw error
        }
    }

    private static func setOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32, context: String) throws(SocketError) {
        var value = value
        try Syscall.call("setsockopt", context: context) {
            setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size))
        }
    }
}
