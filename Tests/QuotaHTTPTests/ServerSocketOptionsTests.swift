import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import QuotaHTTP

extension ServerTests {
    /// Options the server sets on the sockets it accepts, read back from
    /// the server's own descriptor (same process) with `getsockopt`.
    @Suite struct SocketOptions {
        /// Nagle off. A response larger than a segment ends in a short one,
        /// and over TLS every record is a write of its own: with Nagle on,
        /// the short tail waits for the client's delayed ACK. curl's
        /// keep-alive scrapes of 110 KB over TLS took 22.6 ms on average
        /// (half of them 40 ms) before, 0.3 ms after.
        @Test(arguments: Transport.allCases)
        func acceptedClientsSendWithoutNagle(_ transport: Transport) async throws {
            try await withServer(transport: transport) { _, port in
                let (server, client) = try await blocking { () throws -> (Int32, Int32) in
                    let client = try TestClient(port: port, tls: transport == .tls ? .standard : nil)
                    try client.send(Array(get("/hello").utf8))
                    _ = try client.readResponse()
                    let local = try Self.port(of: client.fd, peer: false)
                    guard let server = Self.descriptor(whosePeerPortIs: local) else {
                        throw TestClientError(description: "no descriptor of this process is connected to port \(local)")
                    }
                    return (Self.noDelay(server), Self.noDelay(client.fd))
                }
                #expect(server == 1)
                // The test's own client keeps the kernel's default: the
                // option is read per socket, not a constant.
                #expect(client == 0)
            }
        }

        private static func noDelay(_ fd: Int32) -> Int32 {
            var value: Int32 = -1
            var length = socklen_t(MemoryLayout<Int32>.size)
            guard getsockopt(fd, Int32(IPPROTO_TCP), Int32(TCP_NODELAY), &value, &length) == 0 else { return -1 }
            return value
        }

        private static func port(of fd: Int32, peer: Bool) throws -> UInt16 {
            var address = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let code = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    peer ? getpeername(fd, $0, &length) : getsockname(fd, $0, &length)
                }
            }
            guard code == 0, address.sin_family == sa_family_t(AF_INET) else {
                throw TestClientError(description: "not an IPv4 socket: \(fd)")
            }
            return UInt16(bigEndian: address.sin_port)
        }

        /// The server's side of a loopback connection: the descriptor in
        /// this process whose peer is the client's local port.
        private static func descriptor(whosePeerPortIs port: UInt16) -> Int32? {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
            return names.compactMap(Int32.init).first { fd in
                (try? Self.port(of: fd, peer: true)) == port
            }
        }
    }
}
