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
                    let local = try SocketAddress.localPort(of: client.fd)
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

        /// The port of the socket `fd` is connected to, or nil (not a
        /// connected socket).
        private static func peerPort(of fd: Int32) -> UInt16? {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let code = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &length) }
            }
            return code == 0 ? SocketAddress.describe(storage).port : nil
        }

        /// The server's side of a loopback connection: the descriptor in
        /// this process whose peer is the client's local port.
        private static func descriptor(whosePeerPortIs port: UInt16) -> Int32? {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
            return names.compactMap(Int32.init).first { fd in
                Self.peerPort(of: fd) == port
            }
        }
    }
}
