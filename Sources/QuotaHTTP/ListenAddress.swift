#if canImport(Glibc)
import Glibc
#endif

/// Where the server listens: an IP literal and a port.
///
/// Accepted forms: `:PORT` (all interfaces, IPv6 and IPv4), `IPv4:PORT`,
/// `[IPv6]:PORT`, and `localhost:PORT` (meaning 127.0.0.1). Port 0 asks the
/// kernel for a free port; `HTTPServer.boundAddresses` reports which.
public struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    /// An IPv4 or IPv6 literal in canonical form; empty for all interfaces.
    public let host: String
    public let port: UInt16

    /// Builds an address from parts already known to be valid (e.g. after
    /// binding); use `init(parsing:)` for user input.
    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    public init(parsing input: String) throws(ListenAddressError) {
        func fail(_ reason: String) -> ListenAddressError {
            ListenAddressError(input: input, reason: reason)
        }
        guard !input.isEmpty else { throw fail("empty address") }

        let hostPart: Substring
        let portPart: Substring
        if input.hasPrefix("[") {
            guard let close = input.firstIndex(of: "]") else { throw fail("missing ']' after IPv6 address") }
            hostPart = input[input.index(after: input.startIndex)..<close]
            let rest = input[input.index(after: close)...]
            guard rest.hasPrefix(":") else { throw fail("missing port") }
            portPart = rest.dropFirst()
            guard let canonical = Self.canonical(String(hostPart), family: AF_INET6) else {
                throw fail("\"\(hostPart)\" is not an IPv6 address")
            }
            self.host = canonical
        } else {
            guard let colon = input.lastIndex(of: ":") else { throw fail("missing port") }
            hostPart = input[..<colon]
            portPart = input[input.index(after: colon)...]
            if hostPart.contains(":") {
                throw fail("IPv6 addresses must be in brackets, e.g. [::1]:9100")
            } else if hostPart.isEmpty {
                self.host = ""
            } else if hostPart == "localhost" {
                self.host = "127.0.0.1"
            } else if let canonical = Self.canonical(String(hostPart), family: AF_INET) {
                self.host = canonical
            } else {
                throw fail("\"\(hostPart)\" is not an IP address (host names other than localhost are not resolved)")
            }
        }
        self.port = try Self.parsePort(portPart, fail: fail)
    }

    /// True for `:PORT`, which binds every interface on both IP versions.
    public var isAllInterfaces: Bool { host.isEmpty }

    var isIPv6: Bool { host.contains(":") }

    public var description: String {
        if host.isEmpty { return ":\(port)" }
        return isIPv6 ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    func withPort(_ port: UInt16) -> ListenAddress {
        ListenAddress(host: host, port: port)
    }

    private static func parsePort(
        _ text: Substring,
        fail: (String) -> ListenAddressError
    ) throws(ListenAddressError) -> UInt16 {
        guard !text.isEmpty else { throw fail("missing port") }
        guard text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            throw fail("port \"\(text)\" is not a number")
        }
        guard text.count <= 5, let value = Int(text), value <= 65535 else {
            throw fail("port \(text) out of range (0-65535)")
        }
        return UInt16(value)
    }

    /// The literal round-tripped through inet_pton/inet_ntop, so `0:0::1`
    /// and `::1` compare equal; nil when it is not an address of `family`.
    private static func canonical(_ literal: String, family: Int32) -> String? {
        var storage = in6_addr()
        guard inet_pton(family, literal, &storage) == 1 else { return nil }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(family, &storage, &text, socklen_t(text.count)) != nil else { return nil }
        return SocketAddress.string(fromNulTerminated: text)
    }
}
